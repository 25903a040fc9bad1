namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>
/// One ECP VeiL controller: its configuration and encrypted token, its status machine, its health checks and the
/// one listener of its event stream in the whole cluster.
/// </summary>
[Alias("IControllerGrain")]
public interface IControllerGrain : IGrainWithGuidKey
{
    /// <summary>CREATING, then version check (4.3 or newer), then ACTIVE; throws <see cref="Errors.BrokerException"/>.</summary>
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

    /// <summary>A page of the controller's own event log, newest first (optionally of one level), read from it now.</summary>
    [Alias("ListEventsAsync")]
    Task<ControllerEventPage> ListEventsAsync(int limit, int offset, int? eventType);

    /// <summary>Lists a kind of resource, through a short cache.</summary>
    [Alias("ListResourcesAsync")]
    Task<IReadOnlyList<ControllerResource>> ListResourcesAsync(ResourceKind kind);

    [Alias("GetListenerStateAsync")]
    Task<ListenerState> GetListenerStateAsync();
}
