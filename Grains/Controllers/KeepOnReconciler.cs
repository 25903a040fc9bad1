using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Pools;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Controllers;

/// <summary>
/// Keep-on's safety net (§6.1): the assigned VMs of a controller's keep-on pools are looked up on the controller in
/// bulk (one request per id chunk) and those not running are started with one multi-manager call, so the number of
/// controller calls does not grow with the number of VMs. The VM grains react to power events within seconds; this
/// catches what an event stream that was down missed.
/// </summary>
public sealed class KeepOnReconciler(IGrainFactory grains, PoolTable pools, VmTable vms)
{
    /// <summary>The VMs it started; an <see cref="EcpException"/> passes through (the health check reports the controller).</summary>
    public async Task<int> RunAsync(Guid controllerId, EcpClient client)
    {
        var keepOn = new List<Guid>();
        foreach (var poolId in await pools.ListIdsByControllerAsync(controllerId))
        {
            if (await grains.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync() is { KeepVmsOn: true })
            {
                keepOn.Add(poolId);
            }
        }

        var assigned = keepOn.Count == 0 ? [] : await vms.AssignedVmsAsync(keepOn);
        if (assigned.Count == 0)
        {
            return 0;
        }

        var stopped = (await client.GetDomainsAsync(assigned, "id,user_power_state,status"))
            .Where(d => d.PowerState != PowerState.On && d.IsActive) // the original's rule: anything not ON
            .Select(d => d.Id)
            .ToList();
        if (stopped.Count > 0)
        {
            await client.MultiManagerAsync(PowerAction.Start, stopped, force: false);
        }

        return stopped.Count;
    }
}
