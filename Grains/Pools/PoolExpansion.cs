using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Tasks;

namespace Vdi.Grains.Pools;

/// <summary>
/// A pool's expansion gate (§4 POOL_EXPAND): the auto-expand rule (fewer free VMs than the reserve, fewer VMs than
/// the total size) and the administrator's "expand", with exactly one expansion at a time. Hand-outs interleave and
/// each may ask: they share one check (<see cref="SharedRun{T}"/>), so one expansion starts however many ask. The pool
/// grain owns the state and its writes; this class only decides and starts.
/// </summary>
public sealed class PoolExpansion(Func<PoolState> pool, Guid poolId, PoolTable table, IGrainFactory grains, Func<Task> write)
{
    private readonly SharedRun<TaskView?> _check = new();

    /// <summary>The pending or running expansion, or a new one if the rule calls for it; null otherwise.</summary>
    public Task<TaskView?> RequestAsync() => _check.RunAsync(CheckAsync);

    /// <summary>The administrator's expansion: increase_step VMs even when the reserve is full, unless the pool is full or busy.</summary>
    public async Task<TaskView> ExpandAsync(string user)
    {
        var counts = await table.CountsAsync(poolId);
        if (counts.Vms >= pool().TotalSize)
        {
            throw BrokerException.WrongStatus($"the pool already has total_size ({pool().TotalSize}) VMs", "total_size");
        }

        if (await PendingAsync() is not null || await grains.GetGrain<IEntityLockGrain>(TaskContext.PoolLock(poolId)).GetOwnerAsync() is { } owner
            && await grains.GetGrain<ITaskGrain>(owner).GetAsync() is { IsFinished: false })
        {
            throw new BrokerException(ErrorKind.Busy, "another task is working on this pool; try again when it has finished");
        }

        return await StartAsync(user, ignoreReserve: true);
    }

    /// <summary>The expansion task finished: the next request may start another.</summary>
    public async Task FinishedAsync(Guid taskId)
    {
        if (pool().ExpansionTaskId == taskId)
        {
            pool().ExpansionTaskId = null;
            await write();
        }
    }

    private async Task<TaskView?> CheckAsync()
    {
        var p = pool();
        if (!p.IsAutomated || p.Status is not (PoolStatus.Active or PoolStatus.Partial))
        {
            return null;
        }

        if (await PendingAsync() is { } pending)
        {
            return pending;
        }

        var counts = await table.CountsAsync(poolId);
        return counts.Vms >= p.TotalSize || counts.Free >= p.ReserveSize ? null : await StartAsync("system", ignoreReserve: false);
    }

    private async Task<TaskView> StartAsync(string user, bool ignoreReserve)
    {
        var task = await grains.GetGrain<ITaskGrain>(Guid.NewGuid()).StartAsync(new BrokerTaskRequest
        {
            Type = BrokerTaskType.PoolExpand,
            EntityId = poolId,
            Creator = user,
            IgnoreReserveSize = ignoreReserve,
        });
        pool().ExpansionTaskId = task.Id;
        await write();
        return task;
    }

    private async Task<TaskView?> PendingAsync() =>
        pool().ExpansionTaskId is { } id && await grains.GetGrain<ITaskGrain>(id).GetAsync() is { IsFinished: false } task ? task : null;
}
