using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Pools;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>POOL_DELETE: cancel the pool's other tasks → lock → DELETING → delete its VMs (100 at a time) → forget the pool.</summary>
public sealed class PoolDeleteRunner(TaskTable tasks, VmTable vms) : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolDelete;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.EntityId;
        foreach (var other in (await tasks.ActiveForPoolsAsync([poolId])).Where(t => t != ctx.TaskId))
        {
            await ctx.Grains.GetGrain<ITaskGrain>(other).CancelAsync(ctx.Request.Creator);
        }

        await ctx.AcquireAsync(TaskContext.PoolLock(poolId));
        var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
        var poolGrain = ctx.Grains.GetGrain<IPoolInternalGrain>(poolId);
        await poolGrain.SetStatusAsync(PoolStatus.Deleting, null);
        var ids = await vms.ListIdsByPoolAsync(poolId);
        await ctx.ReportAsync(10, $"Removing {ids.Count} VMs.");
        var onController = ctx.Request.DeleteVms && pool.PoolType is PoolType.Automated or PoolType.Guest;
        var ad = await PoolWork.DeleteVmsAsync(ctx, pool, ids, onController);
        await poolGrain.ForgetAsync(ctx.Request.Creator);
        return (onController ? $"Pool deleted with its {ids.Count} VMs." : $"Pool deleted; its {ids.Count} VMs were left on the controller.") + ad;
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) =>
        ctx.Grains.GetGrain<IPoolInternalGrain>(ctx.Request.EntityId).SetStatusAsync(PoolStatus.Failed, $"deletion stopped: {message}");
}
