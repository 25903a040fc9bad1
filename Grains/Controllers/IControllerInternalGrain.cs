using Orleans.Concurrency;
using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers;

/// <summary>What only the silo asks of a controller: its connection (with the encrypted token), failure reports, keep-on, waking up.</summary>
/// <summary>One health probe's outcome: the controller answered, refused the token, or did not answer (with why).</summary>
[GenerateSerializer, Alias("HealthProbe")]
internal sealed record HealthProbe([property: Id(0)] bool Answered, [property: Id(1)] bool Unauthorized, [property: Id(2)] string? Error);

[Alias("IControllerInternalGrain")]
internal interface IControllerInternalGrain : IGrainWithGuidKey
{
    /// <summary>The address and encrypted token, for the silo's own calls (tasks, VM actions); null when removed.</summary>
    [Alias("GetConnectionAsync"), AlwaysInterleave]
    Task<ControllerConnection?> GetConnectionAsync();

    /// <summary>Called by the listener when the event stream drops, and by tasks when a call fails: check health now.</summary>
    [Alias("OnStreamLostAsync"), OneWay]
    Task OnStreamLostAsync(string reason);

    /// <summary>A cluster, node or data pool changed on the controller (its event stream): the cached list is dropped and the change relayed live.</summary>
    [Alias("OnResourceEventAsync"), OneWay]
    Task OnResourceEventAsync(string resource, string @event, Interfaces.Controllers.ControllerResource item);

    /// <summary>Keep-on's periodic check, run every minute by the grain itself; the number of VMs it started.</summary>
    /// <summary>Applies what the interleaving health timer found (the probe ran without holding the grain).</summary>
    [Alias("ApplyHealthAsync")]
    Task ApplyHealthAsync(HealthProbe probe);

    [Alias("KeepVmsOnAsync")]
    Task<int> KeepVmsOnAsync();

    /// <summary>Wakes the grain: starts its listener and health checks if its status calls for them.</summary>
    [Alias("EnsureRunningAsync")]
    Task EnsureRunningAsync();
}
