using Microsoft.AspNetCore.Mvc;

namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>The paging and sorting query parameters every admin list takes (<c>?limit=&amp;offset=&amp;ordering=</c>).</summary>
public sealed record Paging(
    [FromQuery(Name = "limit")] int? Limit,
    [FromQuery(Name = "offset")] int? Offset,
    [FromQuery(Name = "ordering")] string? Ordering)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>1 to <see cref="MaxLimit"/> rows (100 when not given).</summary>
    public int Take => Math.Clamp(Limit ?? DefaultLimit, 1, MaxLimit);

    public int Skip => Math.Max(0, Offset ?? 0);
}
