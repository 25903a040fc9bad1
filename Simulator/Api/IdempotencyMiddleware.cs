using System.Collections.Concurrent;
using System.Text.Json;

namespace Vdi.Simulator.Api;

/// <summary>
/// ECP's idempotency: a POST whose body repeats an <c>idempotency_key</c> gets the first answer again and does not
/// repeat the operation (the real client retries with the same key).
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, int Status, string ContentType, byte[] Body)> _answers = new();

    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !(http.Request.Path.Value ?? "").StartsWith("/api/", StringComparison.Ordinal))
        {
            await next(http);
            return;
        }

        http.Request.EnableBuffering();
        var key = await ReadKeyAsync(http.Request);
        http.Request.Body.Position = 0;
        if (key is null)
        {
            await next(http);
            return;
        }

        if (_answers.TryGetValue(key, out var answer))
        {
            http.Response.StatusCode = answer.Status;
            http.Response.ContentType = answer.ContentType;
            await http.Response.Body.WriteAsync(answer.Body);
            return;
        }

        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        var bytes = buffer.ToArray();
        if (http.Response.StatusCode < 500)
        {
            var now = DateTimeOffset.UtcNow;
            _answers[key] = (now, http.Response.StatusCode, http.Response.ContentType ?? "application/json", bytes);
            foreach (var old in _answers.Where(a => now - a.Value.At > Keep))
            {
                _answers.TryRemove(old.Key, out _);
            }
        }

        await original.WriteAsync(bytes);
    }

    private static async Task<string?> ReadKeyAsync(HttpRequest request)
    {
        if (!(request.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("idempotency_key", out var k)
                ? $"{request.Path}|{k}"
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
