using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Pools;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>POOL_CREATE: lock pool → CREATING → template's OS type → initial_size clones → preparation → ACTIVE.</summary>
public sealed class PoolCreateRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolCreate;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.EntityId;
        await ctx.AcquireAsync(TaskContext.PoolLock(poolId));
        var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
        var poolGrain = ctx.Grains.GetGrain<IPoolInternalGrain>(poolId);
        var cp = ctx.Checkpoint<CloneCheckpoint>();
        await poolGrain.SetStatusAsync(PoolStatus.Creating, null);
        if (!cp.Started)
        {
            var client = await ctx.Controllers.ConnectAsync(pool.ControllerId);
            var template = await client.GetDomainAsync(pool.TemplateId!.Value, ctx.Cancellation);
            if (template.OsType is { } osType)
            {
                await poolGrain.SetOsTypeAsync(osType);
            }

            cp.Started = true;
            await ctx.SaveCheckpointAsync(cp);
        }

        var wanted = cp.Planned ? cp.PlannedCount : Math.Max(0, pool.InitialSize - pool.VmCount);
        cp = await PoolWork.CloneAsync(ctx, pool, wanted, 5, 60);
        var created = cp.CreatedIds.ToList();
        if (pool.EnableVmsRemoteAccess || pool.StartVms || pool.SetVmsHostnames)
        {
            await PoolWork.PrepareAsync(ctx, pool, created, full: true, 60, 95);
        }

        if (created.Count < cp.PlannedCount)
        {
            var reason = cp.Batches.FirstOrDefault(b => b.Error is not null)?.Error ?? "the controller created fewer VMs than asked";
            await poolGrain.SetStatusAsync(created.Count > 0 ? PoolStatus.Partial : PoolStatus.Failed, reason);
            throw new TaskFailedException($"Created {created.Count} of {cp.PlannedCount} VMs: {reason}");
        }

        await poolGrain.SetStatusAsync(PoolStatus.Active, null);
        return $"Pool created with {created.Count} VMs.";
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) =>
        status == BrokerTaskStatus.Cancelled
            ? ctx.Grains.GetGrain<IPoolInternalGrain>(ctx.Request.EntityId).SetStatusAsync(PoolStatus.Failed, "pool creation was cancelled")
            : Task.CompletedTask;
}
