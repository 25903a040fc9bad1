using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Pools;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>POOL_EXPAND: up to increase_step more VMs when free VMs are below the reserve (or the admin asked), never past total_size.</summary>
public sealed class PoolExpandRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolExpand;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.EntityId;
        var poolGrain = ctx.Grains.GetGrain<IPoolInternalGrain>(poolId);
        try
        {
            await ctx.AcquireAsync(TaskContext.PoolLock(poolId));
            var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
            var cp = ctx.Checkpoint<CloneCheckpoint>();
            var count = 0;
            if (!cp.Planned)
            {
                var counts = await ctx.Grains.GetGrain<IPoolGrain>(poolId).GetCountsAsync();
                if (counts.Vms >= pool.TotalSize)
                {
                    return $"The pool already has total_size ({pool.TotalSize}) VMs.";
                }

                if (!ctx.Request.IgnoreReserveSize && counts.Free >= pool.ReserveSize)
                {
                    return $"The pool has {counts.Free} free VMs, enough for its reserve of {pool.ReserveSize}.";
                }

                count = Math.Min(pool.TotalSize - counts.Vms, pool.IncreaseStep);
            }

            cp = await PoolWork.CloneAsync(ctx, pool, count, 5, 60); // a resumed run continues its planned batches
            var created = cp.CreatedIds.ToList();
            if (pool.EnableVmsRemoteAccess || pool.StartVms || pool.SetVmsHostnames)
            {
                await PoolWork.PrepareAsync(ctx, pool, created, full: true, 60, 95);
            }

            if (created.Count < cp.PlannedCount)
            {
                var reason = cp.Batches.FirstOrDefault(b => b.Error is not null)?.Error ?? "the controller created fewer VMs than asked";
                await poolGrain.SetStatusAsync(PoolStatus.Partial, reason);
                throw new TaskFailedException($"Added {created.Count} of {cp.PlannedCount} VMs: {reason}");
            }

            if (pool.Status == PoolStatus.Partial)
            {
                await poolGrain.SetStatusAsync(PoolStatus.Active, null);
            }

            return $"Added {created.Count} VMs.";
        }
        finally
        {
            await poolGrain.ExpansionFinishedAsync(ctx.TaskId);
        }
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
