namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>
/// One page of an admin list: the total and the rows (the original's <c>count</c> and <c>results</c>). A total beyond
/// <see cref="AdminQueries.ExactCountLimit"/> is the planner's estimate (<c>count_estimated</c>): counting ten million
/// journal events exactly at every page would cost more than the page.
/// </summary>
public sealed record Page<T>(long Count, IReadOnlyList<T> Results, bool CountEstimated = false);
