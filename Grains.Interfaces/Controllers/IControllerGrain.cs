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

    /// <summary>Removes a controller that has no pools; one with pools is refused (WrongStatus), naming how many.</summary>
    [Alias("RemoveAsync")]
    Task RemoveAsync(string user);

    /// <summary>
    /// The original's cascade, asked for explicitly: the controller becomes DELETING, each of its pools is removed by
    /// its normal POOL_DELETE task (their VMs are left on the controller, which may be gone), and the controller is
    /// removed once no pool is left (also after a silo restart). Asked again while DELETING, it restarts the removal
    /// of the pools still there (after a task of theirs failed). The pools' tasks.
    /// </summary>
    [Alias("RemoveWithPoolsAsync")]
    Task<IReadOnlyList<Tasks.TaskView>> RemoveWithPoolsAsync(string user);

    /// <summary>A page of the controller's own event log, newest first (optionally of one level), read from it now.</summary>
    [Alias("ListEventsAsync")]
    Task<ControllerEventPage> ListEventsAsync(int limit, int offset, int? eventType);

    /// <summary>Lists a kind of resource, through a short cache.</summary>
    [Alias("ListResourcesAsync")]
    Task<IReadOnlyList<ControllerResource>> ListResourcesAsync(ResourceKind kind);

    /// <summary>One resource as the controller has it now (never cached): its scalar fields, and nested ones by name.</summary>
    [Alias("GetResourceAsync")]
    Task<ControllerResource?> GetResourceAsync(ResourceKind kind, Guid id);

    /// <summary>Forgets the cached resource lists: the next read asks the controller.</summary>
    [Alias("ClearResourceCacheAsync")]
    Task ClearResourceCacheAsync();

    [Alias("GetListenerStateAsync")]
    Task<ListenerState> GetListenerStateAsync();
}
