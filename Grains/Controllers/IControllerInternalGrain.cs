using Orleans.Concurrency;
using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers;

/// <summary>What only the silo asks of a controller: its connection (with the encrypted token), failure reports, keep-on, waking up.</summary>
[Alias("IControllerInternalGrain")]
internal interface IControllerInternalGrain : IGrainWithGuidKey
{
    /// <summary>The address and encrypted token, for the silo's own calls (tasks, VM actions); null when removed.</summary>
    [Alias("GetConnectionAsync"), AlwaysInterleave]
    Task<ControllerConnection?> GetConnectionAsync();

    /// <summary>Called by the listener when the event stream drops, and by tasks when a call fails: check health now.</summary>
    [Alias("OnStreamLostAsync"), OneWay]
    Task OnStreamLostAsync(string reason);

    /// <summary>Keep-on's periodic check, run every minute by the grain itself; the number of VMs it started.</summary>
    [Alias("KeepVmsOnAsync")]
    Task<int> KeepVmsOnAsync();

    /// <summary>Wakes the grain: starts its listener and health checks if its status calls for them.</summary>
    [Alias("EnsureRunningAsync")]
    Task EnsureRunningAsync();
}
