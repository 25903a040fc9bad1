using Orleans.Concurrency;

namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>
/// One ECP VeiL controller: its configuration and encrypted token, its status machine, its health checks and the
/// one listener of its event stream in the whole cluster.
/// </summary>
[Alias("IControllerGrain")]
public interface IControllerGrain : IGrainWithGuidKey
{
    /// <summary>CREATING, then version check (4.3 or newer), then ACTIVE; throws <see cref="ControllerException"/>.</summary>
    [Alias("AddAsync")]
    Task<ControllerView> AddAsync(ControllerRegistration registration);

    [Alias("GetAsync")]
    Task<ControllerView?> GetAsync();

    [Alias("UpdateAsync")]
    Task<ControllerView> UpdateAsync(ControllerChanges changes);

    /// <summary>Checks the controller now; the status follows the result.</summary>
    [Alias("TestAsync")]
    Task<ControllerView> TestAsync(string user);

    [Alias("EnterServiceAsync")]
    Task<ControllerView> EnterServiceAsync(string user);

    /// <summary>Leaves SERVICE, FAILED or BAD_AUTH after a successful check.</summary>
    [Alias("ActivateAsync")]
    Task<ControllerView> ActivateAsync(string user);

    [Alias("RemoveAsync")]
    Task RemoveAsync(string user);

    /// <summary>Lists a kind of resource, through a short cache.</summary>
    [Alias("ListResourcesAsync")]
    Task<IReadOnlyList<ControllerResource>> ListResourcesAsync(ResourceKind kind);

    [Alias("GetListenerStateAsync")]
    Task<ListenerState> GetListenerStateAsync();

    /// <summary>Wakes the grain: starts its listener and health checks if its status calls for them.</summary>
    [Alias("EnsureRunningAsync")]
    Task EnsureRunningAsync();

    /// <summary>The address and encrypted token, for the silo's own calls (tasks, VM actions); null when removed.</summary>
    [Alias("GetConnectionAsync"), AlwaysInterleave]
    Task<ControllerConnection?> GetConnectionAsync();

    /// <summary>Called by the listener when the event stream drops, and by tasks when a call fails: check health now.</summary>
    [Alias("OnStreamLostAsync"), OneWay]
    Task OnStreamLostAsync(string reason);

    /// <summary>Keep-on's periodic check, run every minute by the grain itself; the number of VMs it started.</summary>
    [Alias("KeepVmsOnAsync")]
    Task<int> KeepVmsOnAsync();
}
