using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>VMS_REMOVE: takes VMs out of a pool; an automated pool's VMs are also deleted on the controller.</summary>
public sealed class VmsRemoveRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.VmsRemove;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.EntityId;
        await ctx.AcquireAsync(TaskContext.PoolLock(poolId));
        var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
        var ids = new List<Guid>();
        foreach (var id in ctx.Request.VmIds.Distinct())
        {
            if (await ctx.Grains.GetGrain<IVmGrain>(id).GetAsync() is { } vm && vm.PoolId == poolId)
            {
                ids.Add(id);
            }
        }

        var ad = await PoolWork.DeleteVmsAsync(ctx, pool, ids, onController: pool.PoolType is PoolType.Automated or PoolType.Guest);
        return $"Removed {ids.Count} VMs from the pool." + ad;
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
