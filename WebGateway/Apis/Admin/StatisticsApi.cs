using System.Globalization;
using System.Text;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// <c>GET /api/admin/statistics?from&amp;to&amp;pool_id&amp;interval</c> (any admin role): the original's pool usage
/// statistics and monthly report - per interval and in total - as JSON, or the series as CSV (<c>format=csv</c>).
/// </summary>
public static class StatisticsApi
{
    public static RouteGroupBuilder MapStatisticsApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/statistics", async (DateTimeOffset? from, DateTimeOffset? to, Guid? pool_id, string? interval, string? format,
            StatisticsQueries queries, HttpContext http) =>
        {
            var (start, end, name) = queries.Period(from, to, interval);
            var report = await queries.ReportAsync(start, end, name, pool_id, http.RequestAborted);
            if (!string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
            {
                return Results.Ok(report);
            }

            var csv = new StringBuilder("\uFEFFstart,sessions,vm_connections,vm_connections_failed,logins,logins_failed\n");
            foreach (var b in report.Series)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{AdminQueries.Csv(b.Start.ToString("O", CultureInfo.InvariantCulture))},{b.Sessions},{b.VmConnections},{b.VmConnectionsFailed},{b.Logins},{b.LoginsFailed}\n");
            }

            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", $"vdi-statistics-{start:yyyyMMdd}-{end:yyyyMMdd}-{name}.csv");
        }).WithTags("Dashboard").RequireAuthorization(Roles.OperatorPolicy);
        return admin;
    }
}
