using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Controllers;

public sealed partial class ControllerGrain
{
    /// <summary>
    /// Keep-on's safety net (§6.1): every minute, the assigned VMs of this controller's keep-on pools are looked up on
    /// the controller in bulk (one request per id chunk) and those not running are started with one multi-manager
    /// call, so the number of controller calls does not grow with the number of VMs. The VM grains react to power
    /// events within seconds; this catches what an event stream that was down missed.
    /// </summary>
    public async Task<int> KeepVmsOnAsync()
    {
        if (!Exists || state.State.Status != ControllerStatus.Active)
        {
            return 0;
        }

        var keepOn = new List<Guid>();
        foreach (var poolId in await pools.ListIdsByControllerAsync(Id))
        {
            if (await GrainFactory.GetGrain<IPoolGrain>(poolId).GetVmPolicyAsync() is { KeepVmsOn: true })
            {
                keepOn.Add(poolId);
            }
        }

        var assigned = keepOn.Count == 0 ? [] : await vms.AssignedVmsAsync(keepOn);
        if (assigned.Count == 0)
        {
            return 0;
        }

        try
        {
            var client = Client();
            var domains = await client.GetDomainsAsync(assigned, "id,user_power_state,status");
            var stopped = domains
                .Where(d => d.TryGetProperty("user_power_state", out var p) && p.TryGetInt32(out var power) && power != (int)PowerState.On
                            && !(d.TryGetProperty("status", out var st) && st.GetString() is { } status && status != "ACTIVE"))
                .Select(d => d.GetProperty("id").GetGuid())
                .ToList();
            if (stopped.Count > 0)
            {
                await client.MultiManagerAsync("start", stopped, force: false);
                logger.LogInformation("Controller {Controller}: keep-on started {Count} assigned VMs", Id, stopped.Count);
            }

            return stopped.Count;
        }
        catch (EcpException e)
        {
            logger.LogDebug("Controller {Controller}: keep-on check failed: {Reason}", Id, e.Message); // the health check reports the controller
            return 0;
        }
    }
}
