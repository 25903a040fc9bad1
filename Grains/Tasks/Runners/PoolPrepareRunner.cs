using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>POOL_PREPARE: prepares every VM of the pool (the admin's "prepare VMs").</summary>
public sealed class PoolPrepareRunner(VmTable vms) : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolPrepare;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var pool = await PoolWork.LoadPoolAsync(ctx, ctx.Request.EntityId);
        var ids = await vms.ListIdsByPoolAsync(pool.Id);
        await PoolWork.PrepareAsync(ctx, pool, ids, full: pool.PoolType is PoolType.Automated or PoolType.Guest, 5, 95);
        return $"Prepared {ids.Count} VMs.";
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
