using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The original's Settings → Services, for operators and monitoring scripts: every silo of the cluster (its
/// membership record), this gateway, Postgres, Redis and each controller, each with its state.
/// </summary>
public static class ServicesApi
{
    private static readonly DateTimeOffset Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static RouteGroupBuilder MapServicesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/services", async (IClusterClient cluster, HealthCheckService health, NpgsqlDataSource db,
            Microsoft.Extensions.Options.IOptions<Hosting.BrokerOptions> broker, TimeProvider time, HttpContext http) =>
        {
            var report = await health.CheckHealthAsync(http.RequestAborted);
            string State(string name) => report.Entries.TryGetValue(name, out var e) ? e.Status.ToString().ToUpperInvariant() : "UNKNOWN";

            var silos = (await cluster.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false))
                .Where(m => m.Status is not SiloStatus.Dead || time.GetUtcNow() - m.IAmAliveTime < TimeSpan.FromHours(1))
                .OrderBy(m => m.SiloName, StringComparer.Ordinal)
                .Select(m => new
                {
                    name = m.SiloName,
                    host = m.HostName,
                    address = m.SiloAddress.ToString(),
                    status = m.Status.ToString().ToUpperInvariant(),
                    started = m.StartTime,
                    last_alive = m.IAmAliveTime,
                })
                .ToList();

            var controllers = new List<object>();
            await using (var cmd = db.CreateCommand("select id, verbose_name, address, status, version from vdi_controllers order by verbose_name"))
            await using (var reader = await cmd.ExecuteReaderAsync(http.RequestAborted))
            {
                while (await reader.ReadAsync(http.RequestAborted))
                {
                    controllers.Add(new
                    {
                        id = reader.GetGuid(0), name = reader.GetString(1), address = reader.GetString(2), status = reader.GetString(3),
                        version = reader.IsDBNull(4) ? null : reader.GetString(4),
                    });
                }
            }

            return Results.Ok(new
            {
                silos,
                gateway = new
                {
                    host = Environment.MachineName,
                    version = broker.Value.Version,
                    started = Started,
                    uptime_seconds = (long)(time.GetUtcNow() - Started).TotalSeconds,
                    status = State("cluster"),
                },
                postgres = new { status = State("postgres") },
                redis = new { status = State("redis") },
                controllers,
            });
        }).WithTags("Dashboard").RequireAuthorization(Roles.OperatorPolicy);
        return admin;
    }
}
