using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>VM_GUEST_RECREATION: deletes a guest VM (after its user left) and creates a fresh one in its place.</summary>
public sealed class GuestRecreationRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.VmGuestRecreation;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.PoolId ?? throw new BrokerException(ErrorKind.Invalid, "VM_GUEST_RECREATION needs the VM's pool", "pool_id");
        await ctx.AcquireAsync(TaskContext.PoolLock(poolId));
        var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
        var cp = ctx.Checkpoint<CloneCheckpoint>();
        if (!cp.Planned)
        {
            await PoolWork.DeleteVmsAsync(ctx, pool, [ctx.Request.EntityId], onController: true);
        }

        cp = await PoolWork.CloneAsync(ctx, pool, 1, 40, 70);
        await PoolWork.PrepareAsync(ctx, pool, [.. cp.CreatedIds], full: true, 70, 95);
        return cp.CreatedIds.Any() ? "Guest VM recreated." : "The old VM was deleted; the new one could not be created.";
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
