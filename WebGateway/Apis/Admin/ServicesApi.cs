using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Vdi.Shared.Hosting;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The original's Settings → Services, for operators and monitoring scripts: every silo of the cluster (its
/// membership record), this gateway, Postgres, Redis and each controller, each with its state.
/// </summary>
public static class ServicesApi
{
    private sealed record ServiceRow(string Kind, string Address, string Name, string Host, string Version, DateTimeOffset Started,
        DateTimeOffset LastSeen, DateTimeOffset? Stopped, string Health, JsonElement Details)
    {
        public long? Number(string key) => Details.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

        public double? Decimal(string key) => Details.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
    }

    public static RouteGroupBuilder MapServicesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/services", async (IClusterClient cluster, HealthCheckService health, NpgsqlDataSource db,
            Microsoft.Extensions.Options.IOptions<Hosting.BrokerOptions> broker, Microsoft.Extensions.Options.IOptions<HeartbeatOptions> heartbeat,
            Hosting.GatewayServiceReporter self, TimeProvider time, HttpContext http) =>
        {
            var report = await health.CheckHealthAsync(http.RequestAborted);
            string State(string name) => report.Entries.TryGetValue(name, out var e) ? e.Status.ToString().ToUpperInvariant() : "UNKNOWN";
            var now = time.GetUtcNow();
            var silent = heartbeat.Value.HeartbeatInterval * 3; // a process that missed three reports is not answering

            // what every silo and gateway last said about itself (vdi_services, written by ServiceHeartbeat)
            var reports = new List<ServiceRow>();
            await using (var cmd = db.CreateCommand(
                             "select kind, address, name, host, version, started, last_seen, stopped, health, details::text from vdi_services where last_seen > @since order by kind, name"))
            {
                cmd.Parameters.AddWithValue("since", now - TimeSpan.FromDays(1));
                await using var reader = await cmd.ExecuteReaderAsync(http.RequestAborted);
                while (await reader.ReadAsync(http.RequestAborted))
                {
                    reports.Add(new ServiceRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                        reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                        reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(8), JsonDocument.Parse(reader.GetString(9)).RootElement.Clone()));
                }
            }

            var siloReports = reports.Where(r => r.Kind == "silo").ToDictionary(r => r.Address, StringComparer.Ordinal);
            var silos = (await cluster.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false))
                .Where(m => m.Status is not SiloStatus.Dead || now - m.IAmAliveTime < TimeSpan.FromHours(1))
                .OrderBy(m => m.SiloName, StringComparer.Ordinal)
                .Select(m =>
                {
                    var r = siloReports.GetValueOrDefault(m.SiloAddress.ToString());
                    var active = m.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown;
                    return new
                    {
                        name = m.SiloName,
                        host = m.HostName,
                        address = m.SiloAddress.ToString(),
                        status = m.Status.ToString().ToUpperInvariant(),
                        started = m.StartTime,
                        last_alive = m.IAmAliveTime,
                        version = r?.Version,
                        uptime_seconds = active ? (long?)(now - new DateTimeOffset(m.StartTime, TimeSpan.Zero)).TotalSeconds : null,
                        health = r is null ? null : !active ? "DOWN" : now - r.LastSeen > silent ? "UNKNOWN" : r.Health,
                        activations = r?.Number("activations"),
                        clients = r?.Number("clients"),
                        cpu_percent = r?.Decimal("cpu_percent"),
                        memory_mb = r?.Number("memory_mb"),
                        reported = r?.LastSeen,
                    };
                })
                .ToList();

            var gateways = reports.Where(r => r.Kind == "gateway").Select(r => new
            {
                name = r.Name,
                host = r.Host,
                address = r.Address,
                version = r.Version,
                started = r.Started,
                status = r.Stopped is not null ? "STOPPED" : now - r.LastSeen > silent ? "DOWN" : "ACTIVE",
                uptime_seconds = r.Stopped is null && now - r.LastSeen <= silent ? (long?)(now - r.Started).TotalSeconds : null,
                health = r.Health,
                connected_clients = r.Number("connected_clients"),
                last_seen = r.LastSeen,
                self = r.Address == self.Address,
            }).ToList();

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
                gateways,
                gateway = new
                {
                    host = Environment.MachineName,
                    address = self.Address,
                    version = ServiceHeartbeat.Version,
                    protocol_version = broker.Value.Version,
                    started = ServiceHeartbeat.Started,
                    uptime_seconds = (long)(now - ServiceHeartbeat.Started).TotalSeconds,
                    status = State("cluster"),
                },
                postgres = new { status = State("postgres") },
                redis = new { status = State("redis") },
                controllers,
                checked_at = now,
            });
        }).WithTags("Dashboard").RequireAuthorization(Roles.OperatorPolicy);
        return admin;
    }
}
