namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>One page of an admin list: the total and the rows (the original's <c>count</c> and <c>results</c>).</summary>
public sealed record Page<T>(long Count, IReadOnlyList<T> Results);
