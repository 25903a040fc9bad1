using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Vdi.WebGateway.Health;

/// <summary>Writes a health report as JSON: the overall status, and for operators each dependency's status, timing and reason.</summary>
public static class HealthReportWriter
{
    /// <summary>For anonymous callers (load balancers): the status and each check's status, no descriptions.</summary>
    public static Task WriteStatusAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString() }),
        }));
    }

    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
