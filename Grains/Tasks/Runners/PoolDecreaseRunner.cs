using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>POOL_DECREASE: lowers total_size, never below the pool's current VM count.</summary>
public sealed class PoolDecreaseRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolDecrease;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var size = ctx.Request.NewTotalSize ?? throw new BrokerException(ErrorKind.Invalid, "new_total_size is required", "total_size");
        await ctx.AcquireAsync(TaskContext.PoolLock(ctx.Request.EntityId));
        var view = await ctx.Grains.GetGrain<IPoolGrain>(ctx.Request.EntityId).UpdateAsync(new PoolSettings { TotalSize = size }, ctx.Request.Creator);
        return $"total_size is now {view.TotalSize}.";
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
