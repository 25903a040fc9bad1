using System.Text.Json;

namespace Vdi.Simulator.Api;

/// <summary>Lenient reading of ECP request bodies (every field optional, as the real controller treats them).</summary>
public static class JsonBody
{
    public static async Task<JsonElement> ReadAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || !(request.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }

        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public static bool Bool(this JsonElement e, string name, bool fallback = false) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => v.GetInt32() != 0,
                _ => fallback,
            }
            : fallback;

    public static string? String(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static int? Int(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    public static Guid? Guid(this JsonElement e, string name) =>
        System.Guid.TryParse(e.String(name), out var g) ? g : null;

    public static List<Guid> Guids(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray().Select(x => System.Guid.TryParse(x.GetString(), out var g) ? g : System.Guid.Empty).Where(g => g != System.Guid.Empty)]
            : [];

    public static JsonElement Object(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;
}
