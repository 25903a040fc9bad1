using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Pools;

/// <summary>
/// Existing VMs of a controller joining a static pool: each must exist on the pool's controller and belong to no
/// other pool; it is attached with the power state the controller reports and prepared lightly (VM_PREPARE, remote access).
/// </summary>
public sealed class StaticVmAttach(IGrainFactory grains)
{
    public async Task AttachAsync(Guid poolId, Guid controllerId, IReadOnlyList<Guid> vmIds, string user)
    {
        var known = (await grains.GetGrain<IControllerGrain>(controllerId).ListResourcesAsync(ResourceKind.Vms)).ToDictionary(v => v.Id);
        var missing = vmIds.Where(id => !known.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            throw BrokerException.Invalid("vms", $"vms: the controller has no VM {string.Join(", ", missing)}");
        }

        foreach (var id in vmIds.Distinct())
        {
            if (await grains.GetGrain<IVmGrain>(id).GetAsync() is { PoolId: { } other } && other != poolId)
            {
                throw BrokerException.Conflict($"vms: VM {known[id].VerboseName} already belongs to another pool", "vms");
            }

            await grains.GetGrain<IVmInternalGrain>(id).AttachAsync(new VmAttachment(controllerId, poolId, known[id].VerboseName,
                known[id].PowerState ?? PowerState.Undefined, CreatedByBroker: false));
            await grains.GetGrain<ITaskGrain>(Guid.NewGuid()).StartAsync(new BrokerTaskRequest
            {
                Type = BrokerTaskType.VmPrepare,
                EntityId = id,
                PoolId = poolId,
                FullPreparation = false,
                Creator = user,
            });
        }
    }
}
