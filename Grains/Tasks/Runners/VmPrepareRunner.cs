using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>VM_PREPARE: full (automated pools: the pool's preparation flags) or light (static pools: remote access).</summary>
public sealed class VmPrepareRunner : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.VmPrepare;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.PoolId ?? throw new BrokerException(ErrorKind.Invalid, "VM_PREPARE needs the VM's pool", "pool_id");
        var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
        await PoolWork.PrepareAsync(ctx, pool, [ctx.Request.EntityId], ctx.Request.FullPreparation, 10, 95);
        return ctx.Request.FullPreparation ? "VM prepared." : "Remote access enabled.";
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
