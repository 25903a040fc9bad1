using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
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
public sealed partial class KeepOnReconciler(IGrainFactory grains, PoolTable pools, VmTable vms, ILogger<KeepOnReconciler> logger)
{
    /// <summary>The VMs it started; a controller that fails the check is left to the health check (0, logged at debug).</summary>
    public async Task<int> RunAsync(Guid controllerId, EcpClient client)
    {
        try
        {
            var started = await StartStoppedAsync(controllerId, client);
            if (started > 0)
            {
                LogStarted(controllerId, started);
            }

            return started;
        }
        catch (EcpException e)
        {
            LogFailed(controllerId, e.Message);
            return 0;
        }
    }

    private async Task<int> StartStoppedAsync(Guid controllerId, EcpClient client)
    {
        var keepOn = new List<Guid>();
        var shared = new List<Guid>();
        foreach (var poolId in await pools.ListIdsByControllerAsync(controllerId))
        {
            if (await grains.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync() is { KeepVmsOn: true } policy)
            {
                // an RDS pool's hosts have no owner: all of them serve its users
                (policy.PoolType == PoolType.Rds ? shared : keepOn).Add(poolId);
            }
        }

        var assigned = keepOn.Count + shared.Count == 0 ? [] : await vms.AssignedVmsAsync(keepOn, shared);
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

    [LoggerMessage(EventId = LogEvents.ControllerKeepOnStarted, Level = LogLevel.Information, Message = "Controller {Controller}: keep-on started {Count} assigned VMs")]
    private partial void LogStarted(Guid controller, int count);

    [LoggerMessage(EventId = LogEvents.ControllerKeepOnFailed, Level = LogLevel.Debug, Message = "Controller {Controller}: keep-on check failed: {Reason}")]
    private partial void LogFailed(Guid controller, string reason);
}
