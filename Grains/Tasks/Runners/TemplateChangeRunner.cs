using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Pools;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>
/// POOL_TEMPLATE_CHANGE: under the pool's lock, the pool takes the new template (checked to be a template on its
/// controller), then its VMs not made from it that nobody is in (the client's evidence, <see cref="VmTable.NotInUseAsync"/>;
/// RESERVED ones left alone) are deleted and cloned again from it, 100 at a time, and prepared. A VM in use stays as
/// it is and is counted in the result: running the task again later recreates it. Cancelled, it stops between steps
/// like the other tasks; resumed after a crash, it plans from what is left.
/// </summary>
public sealed class TemplateChangeRunner(VmTable vms) : ITaskRunner
{
    public BrokerTaskType Type => BrokerTaskType.PoolTemplateChange;

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var poolId = ctx.Request.EntityId;
        var template = ctx.Request.TemplateId ?? throw BrokerException.Invalid("template_id", "template_id is required");
        await ctx.AcquireAsync(TaskContext.PoolLock(poolId));
        var pool = await PoolWork.LoadPoolAsync(ctx, poolId);
        var cp = ctx.Checkpoint<CloneCheckpoint>();
        var inUse = 0;
        if (!cp.Planned)
        {
            var client = await ctx.Controllers.ConnectAsync(pool.ControllerId);
            try
            {
                if (!(await client.GetDomainAsync(template, ctx.Cancellation)).IsTemplate)
                {
                    throw new TaskFailedException($"{template} is a VM, not a template, on the controller");
                }

                await ctx.Grains.GetGrain<IPoolInternalGrain>(poolId).SetTemplateAsync(template, ctx.Request.Creator);
                pool = await PoolWork.LoadPoolAsync(ctx, poolId);
                await ctx.ReportAsync(5, "Template changed; looking for the VMs nobody is in.");

                var all = await vms.ListIdsByPoolAsync(poolId);
                var free = (await vms.NotInUseAsync(poolId)).ToHashSet();
                var old = new List<Guid>();
                foreach (var batch in all.Chunk(PoolWork.MaxBatch))
                {
                    old.AddRange((await client.GetDomainsAsync(batch, "id,parent", ctx.Cancellation)).Where(d => d.ParentId != template).Select(d => d.Id));
                }

                var recreate = old.Where(free.Contains).ToList();
                inUse = old.Count - recreate.Count;
                await ctx.ReportAsync(10, $"Recreating {recreate.Count} VMs from the new template; {inUse} in use or reserved stay for now.");
                await PoolWork.DeleteVmsAsync(ctx, pool, recreate, onController: true);
                cp = await PoolWork.CloneAsync(ctx, pool, recreate.Count, 30, 70);
            }
            catch (EcpException e)
            {
                await ctx.Controllers.ReportAsync(pool.ControllerId, e);
                throw;
            }
        }
        else
        {
            cp = await PoolWork.CloneAsync(ctx, pool, 0, 30, 70); // a resumed run finishes its planned clones
        }

        await PoolWork.PrepareAsync(ctx, pool, [.. cp.CreatedIds], full: true, 70, 95);
        return $"Template changed; {cp.CreatedIds.Count()} VMs recreated from it" + (inUse > 0 ? $"; {inUse} in use or reserved stay on the old one until the task runs again." : ".");
    }

    public Task OnStoppedAsync(TaskContext ctx, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
