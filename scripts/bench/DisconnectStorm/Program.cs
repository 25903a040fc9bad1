// The VM manager under load: N VMs whose users leave over a spread of time, with the pool's disconnect action
// (SHUTDOWN after a timeout) firing per VM. Reports how late each action fired against its deadline, and whether
// any action was missed or done twice.
//   disconnect-storm <redis> <cluster-id> <postgres> <controller-id> [vms=5000] [spread-seconds=60] [timeout-seconds=30]
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using StackExchange.Redis;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Vms;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: disconnect-storm <redis> <cluster-id> <postgres> <controller-id> [vms] [spread-seconds] [timeout-seconds]");
    return 2;
}

var (redis, clusterId, postgres, controllerId) = (args[0], args[1], args[2], Guid.Parse(args[3]));
var vms = args.Length > 4 ? int.Parse(args[4]) : 5000;
var spread = TimeSpan.FromSeconds(args.Length > 5 ? int.Parse(args[5]) : 60);
var timeout = args.Length > 6 ? int.Parse(args[6]) : 30;

using var host = Host.CreateDefaultBuilder()
    .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
    .UseOrleansClient(c =>
    {
        c.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
        c.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, "vdi-broker"));
        c.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(2));
    })
    .Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IClusterClient>();
await using var db = NpgsqlDataSource.Create(postgres);

async Task<T> Scalar<T>(string sql, params (string, object)[] ps)
{
    await using var cmd = db.CreateCommand(sql);
    foreach (var (n, v) in ps)
    {
        cmd.Parameters.AddWithValue(n, v);
    }

    return (T)(await cmd.ExecuteScalarAsync())!;
}

// a pool of N running VMs whose action after a disconnect is SHUTDOWN
var controller = grains.GetGrain<IControllerGrain>(controllerId);
var poolId = Guid.NewGuid();
var sw = Stopwatch.StartNew();
await grains.GetGrain<IPoolGrain>(poolId).CreateAsync(PoolType.Automated, new PoolSettings
{
    VerboseName = $"storm-{poolId:N}"[..16],
    ControllerId = controllerId,
    ResourcePoolId = (await controller.ListResourcesAsync(ResourceKind.ResourcePools)).First().Id,
    DataPoolId = (await controller.ListResourcesAsync(ResourceKind.DataPools)).First().Id,
    TemplateId = (await controller.ListResourcesAsync(ResourceKind.Templates)).First().Id,
    VmNameTemplate = "storm",
    InitialSize = vms,
    TotalSize = vms,
    ReserveSize = 1,
    StartVms = true,
    VmActionUponUserDisconnect = VmDisconnectAction.Shutdown,
    VmDisconnectActionTimeout = timeout,
}, "bench");
Console.WriteLine($"creating a pool of {vms} VMs...");
while (true)
{
    var status = await Scalar<string?>("select coalesce((select status from vdi_tasks where pool_id = @p and task_type = 'POOL_CREATE'), '')", ("p", poolId));
    if (status is "FINISHED")
    {
        break;
    }

    if (status is "FAILED" or "CANCELLED")
    {
        Console.Error.WriteLine($"pool creation {status}");
        return 1;
    }

    await Task.Delay(1000);
}

var ids = new List<Guid>();
await using (var cmd = db.CreateCommand("select id from vdi_vms where pool_id = @p"))
{
    cmd.Parameters.AddWithValue("p", poolId);
    await using var reader = await cmd.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        ids.Add(reader.GetGuid(0));
    }
}

Console.WriteLine($"pool ready with {ids.Count} VMs in {sw.Elapsed.TotalSeconds:0} s; {ids.Count} users leave over {spread.TotalSeconds:0} s, action SHUTDOWN after {timeout} s");

// users leave at evenly spread moments
var started = DateTimeOffset.UtcNow;
var errors = 0;
var leaves = ids.Select(async (vm, i) =>
{
    var at = started + spread * i / ids.Count;
    var wait = at - DateTimeOffset.UtcNow;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }

    try
    {
        await grains.GetGrain<Vdi.Grains.Vms.IVmInternalGrain>(vm).UserLeftAsync(Guid.NewGuid());
    }
    catch (Exception e)
    {
        Interlocked.Increment(ref errors);
        Console.Error.WriteLine($"leave failed: {e.Message}");
    }
}).ToList();
await Task.WhenAll(leaves);
Console.WriteLine($"all users left in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s ({errors} calls failed)");

// wait for the last deadline, then up to the reminders' retry period for stragglers
const string Completions = "from vdi_journal where message like 'Action upon user disconnect completed.%' and entity_id = any(@ids)";
var until = started + spread + TimeSpan.FromSeconds(timeout) + TimeSpan.FromSeconds(90);
while (DateTimeOffset.UtcNow < until && await Scalar<long>($"select count(distinct entity_id) {Completions}", ("ids", ids.ToArray())) < ids.Count)
{
    await Task.Delay(1000);
}

await Task.Delay(TimeSpan.FromSeconds(5)); // a doubled firing would show up now
await using (var cmd = db.CreateCommand($"""
    with f as (
        select entity_id,
               extract(epoch from (substring(description from 'Fired: ([^ ]+)\.$')::timestamptz
                                 - substring(description from 'Deadline: ([^ ]+)\. Fired')::timestamptz)) * 1000 as late_ms
        {Completions})
    select count(*), count(distinct entity_id),
           percentile_cont(0.5) within group (order by late_ms), percentile_cont(0.95) within group (order by late_ms),
           percentile_cont(0.99) within group (order by late_ms), max(late_ms), min(late_ms)
    from f
    """))
{
    cmd.Parameters.AddWithValue("ids", ids.ToArray());
    await using var r = await cmd.ExecuteReaderAsync();
    await r.ReadAsync();
    var (total, distinct) = (r.GetInt64(0), r.GetInt64(1));
    Console.WriteLine($"RESULT vms={ids.Count} fired={distinct} missed={ids.Count - distinct} doubled={total - distinct} " +
                      $"late_ms_p50={r.GetDouble(2):0} late_ms_p95={r.GetDouble(3):0} late_ms_p99={r.GetDouble(4):0} late_ms_max={r.GetDouble(5):0} late_ms_min={r.GetDouble(6):0}");
}

var stillOn = await Scalar<long>("select count(*) from vdi_vms where pool_id = @p and power_state = 3", ("p", poolId));
Console.WriteLine($"RESULT vms_still_on_per_broker={stillOn}");
await host.StopAsync();
return 0;
