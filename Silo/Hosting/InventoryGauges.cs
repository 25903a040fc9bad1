using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Npgsql;

namespace Vdi.Silo.Hosting;

/// <summary>
/// What the broker holds, as gauges of the silo's <c>Vdi.Broker</c> meter: controllers by status and each pool's VMs
/// (free, assigned, reserved, total). Read from the admin tables at most every 15 s, off the scrape: a scrape gets the
/// last figures at once and starts a refresh when they are older. The gauges belong to the process (one silo per
/// process in production): a metrics provider registers an instrument once by its name, so a second silo host in one
/// process (the tests) adds its figures to the same gauges instead of a duplicate that would be ignored.
/// </summary>
public sealed class InventoryGauges : IHostedService
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;
    private volatile Snapshot _snapshot = new([], [], DateTimeOffset.MinValue);
    private int _refreshing;

    private sealed record Snapshot(IReadOnlyList<(string Status, long Count)> Controllers,
        IReadOnlyList<(string Pool, long Free, long Assigned, long Reserved, long Total)> Pools, DateTimeOffset Taken);

    private static readonly ConcurrentDictionary<InventoryGauges, byte> Hosts = new();

    private static readonly Meter ProcessMeter = CreateMeter();

    private static Meter CreateMeter()
    {
        var meter = new Meter(Vdi.Grains.Hosting.BrokerMetrics.MeterName);
        meter.CreateObservableGauge("vdi.controllers", () => Hosts.Keys.SelectMany(h => h.Current().Controllers)
                .Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("status", c.Status))),
            description: "controllers by status");
        meter.CreateObservableGauge("vdi.pool.vms", () => Hosts.Keys.SelectMany(h => h.Current().Pools).SelectMany(p => new[]
        {
            new Measurement<long>(p.Free, new("pool", p.Pool), new("state", "free")),
            new Measurement<long>(p.Assigned, new("pool", p.Pool), new("state", "assigned")),
            new Measurement<long>(p.Reserved, new("pool", p.Pool), new("state", "reserved")),
            new Measurement<long>(p.Total, new("pool", p.Pool), new("state", "total")),
        }), description: "each pool's VMs: free (active, no owner), assigned, reserved, total");
        return meter;
    }

    public InventoryGauges(NpgsqlDataSource db, TimeProvider time)
    {
        _db = db;
        _time = time;
        _ = ProcessMeter;
        Hosts[this] = 0;
    }

    private Snapshot Current()
    {
        var snapshot = _snapshot;
        if (_time.GetUtcNow() - snapshot.Taken > MaxAge && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = RefreshAsync();
        }

        return snapshot;
    }

    /// <summary>Reads the figures now (also at start, so the first scrape has them).</summary>
    public async Task RefreshAsync()
    {
        try
        {
            var controllers = new List<(string, long)>();
            await using (var cmd = _db.CreateCommand("select status, count(*) from vdi_controllers group by status"))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    controllers.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            var pools = new List<(string, long, long, long, long)>();
            await using (var cmd = _db.CreateCommand("""
                select p.verbose_name,
                       count(v.id) filter (where v.status = 'ACTIVE' and o.vm_id is null),
                       count(distinct o.vm_id),
                       count(v.id) filter (where v.status = 'RESERVED'),
                       count(v.id)
                from vdi_pools p
                left join vdi_vms v on v.pool_id = p.id
                left join (select distinct vm_id from vdi_vm_owners) o on o.vm_id = v.id
                group by p.id, p.verbose_name
                """))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    pools.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
                }
            }

            _snapshot = new Snapshot(controllers, pools, _time.GetUtcNow());
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // a database that does not answer keeps the last figures; the next scrape tries again
        }
        finally
        {
            Interlocked.Exchange(ref _refreshing, 0);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = RefreshAsync(); // the first scrape finds figures
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Hosts.TryRemove(this, out _);
        return Task.CompletedTask;
    }
}
