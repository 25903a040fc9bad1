using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Pools;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>
/// POOL_DECREASE (started by an update that lowers total_size): under the pool's lock, after its running tasks, lowers
/// total_size, never below the VMs the pool has then (an expansion that finished meanwhile makes it fail, saying so).
/// </summary>
public sealed class PoolDecreaseRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolDecrease;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var size = ctx.Request.NewTotalSize ?? throw new BrokerException(ErrorKind.Invalid, "new_total_size is required", "total_size");
        await ctx.AcquireAsync(TaskContext.PoolLock(ctx.Request.EntityId));
        var now = await ctx.Grains.GetGrain<IPoolInternalGrain>(ctx.Request.EntityId).DecreaseTotalSizeAsync(size, ctx.Request.Creator);
        return $"total_size is now {now}.";
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
