using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Pools;
using Vdi.Grains.Tasks;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Controllers;

/// <summary>
/// A controller's pools and VMs follow its status, in batches so a controller of thousands of VMs does not call them
/// all at once. A controller that fails cancels its pools' tasks as resumable; one that comes back resumes them.
/// </summary>
public sealed class ControllerCascade(IGrainFactory grains, PoolTable pools, VmTable vms, TaskTable tasks)
{
    private const int Batch = 64;

    public async Task FollowAsync(Guid controllerId, ControllerStatus status)
    {
        var poolIds = await pools.ListIdsByControllerAsync(controllerId);
        if (status != ControllerStatus.Active && poolIds.Count > 0)
        {
            foreach (var task in await tasks.ActiveForPoolsAsync(poolIds))
            {
                await grains.GetGrain<ITaskGrain>(task).CancelAsync("system", resumable: true);
            }
        }

        foreach (var batch in poolIds.Chunk(Batch))
        {
            await Task.WhenAll(batch.Select(id => grains.GetGrain<IPoolInternalGrain>(id).FollowControllerAsync(status)));
        }

        foreach (var batch in (await vms.ListIdsByControllerAsync(controllerId)).Chunk(Batch))
        {
            await Task.WhenAll(batch.Select(id => grains.GetGrain<IVmInternalGrain>(id).FollowControllerAsync(status)));
        }

        if (status == ControllerStatus.Active && poolIds.Count > 0)
        {
            foreach (var task in await tasks.ResumableForPoolsAsync(poolIds))
            {
                await grains.GetGrain<ITaskGrain>(task).ResumeAsync();
            }
        }
    }
}
