using Vdi.Simulator.Events;

namespace Vdi.Simulator.Api;

/// <summary>ECP's list envelope <c>{"count","next","previous","results"}</c> with limit/offset/ordering/fields.</summary>
public static class Paging
{
    private const int DefaultLimit = 100;

    public static IResult Page(HttpRequest request, IEnumerable<Dictionary<string, object?>> items)
    {
        var q = request.Query;
        var all = items.ToList();
        if (q["ordering"].ToString() is { Length: > 0 } ordering)
        {
            var key = ordering.TrimStart('-');
            var sorted = all.OrderBy(i => i.GetValueOrDefault(key)?.ToString(), StringComparer.Ordinal);
            all = ordering.StartsWith('-') ? [.. sorted.Reverse()] : [.. sorted];
        }

        var limit = int.TryParse(q["limit"], out var l) && l > 0 ? l : DefaultLimit;
        var offset = int.TryParse(q["offset"], out var o) && o > 0 ? o : 0;
        var fields = q["fields"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var page = all.Skip(offset).Take(limit).Select(i => fields.Length == 0 ? i : i.Where(kv => fields.Contains(kv.Key)).ToDictionary());
        var baseUrl = $"{request.Scheme}://{request.Host}{request.Path}";
        return Results.Json(new
        {
            count = all.Count,
            next = offset + limit < all.Count ? $"{baseUrl}?limit={limit}&offset={offset + limit}" : null,
            previous = offset > 0 ? $"{baseUrl}?limit={limit}&offset={Math.Max(0, offset - limit)}" : null,
            results = page,
        }, EventHub.Json);
    }

    public static Dictionary<string, object?> Fields(params (string Key, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);
}
