using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Interfaces.Pools;

/// <summary>
/// One pool: its settings and status, its entitlements, and the only place its VMs are handed to users, so two
/// requests can never get the same VM. It starts the pool's tasks, and exactly one expansion at a time.
/// </summary>
[Alias("IPoolGrain")]
public interface IPoolGrain : IGrainWithGuidKey
{
    /// <summary>Validates and stores the pool, then starts POOL_CREATE (automated, guest) or attaches its VMs (static).</summary>
    [Alias("CreateAsync")]
    Task<PoolView> CreateAsync(PoolType type, PoolSettings settings, string user);

    /// <summary>Read only, so it interleaves with other requests (the thin clients' path asks it on every get-VM).</summary>
    [Alias("GetAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<PoolView?> GetAsync();

    /// <summary>
    /// The pool's settings from memory, without counting its VMs (its VM count is 0 here), when the user may use the
    /// pool (entitled directly or through a group; <paramref name="anyPool"/> for a superuser); null otherwise or when
    /// the pool does not exist. What a thin client's get-VM needs, in one call.
    /// </summary>
    [Alias("GetSettingsForUserAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<PoolView?> GetSettingsForUserAsync(Guid userId, bool anyPool);

    [Alias("GetCountsAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<PoolCounts> GetCountsAsync();

    [Alias("UpdateAsync")]
    Task<PoolView> UpdateAsync(PoolSettings changes, string user);

    /// <summary>A new pool with this pool's settings under another name.</summary>
    [Alias("CopyAsync")]
    Task<PoolView> CopyAsync(Guid newPoolId, string verboseName, string user);

    /// <summary>Starts POOL_DELETE; <paramref name="deleteVms"/> also deletes an automated pool's VMs on the controller.</summary>
    [Alias("RemoveAsync")]
    Task<TaskView> RemoveAsync(bool deleteVms, string user, bool deleteComputersFromAd = false);

    /// <summary>The administrator's "expand": adds increase_step VMs even when the reserve is full.</summary>
    [Alias("ExpandAsync")]
    Task<TaskView> ExpandAsync(string user);

    /// <summary>"Clear errors": a FAILED or PARTIAL pool becomes ACTIVE again.</summary>
    [Alias("ClearAsync")]
    Task<PoolView> ClearAsync(string user);

    [Alias("PrepareAsync")]
    Task<TaskView> PrepareAsync(string user);

    [Alias("AddVmsAsync")]
    Task<PoolView> AddVmsAsync(IReadOnlyList<Guid> vmIds, string user);

    [Alias("RemoveVmsAsync")]
    Task<TaskView> RemoveVmsAsync(IReadOnlyList<Guid> vmIds, string user, bool deleteComputersFromAd = false);

    [Alias("EntitleAsync")]
    Task EntitleAsync(IReadOnlyList<Guid> users, IReadOnlyList<Guid> groups, string user);

    [Alias("UnentitleAsync")]
    Task UnentitleAsync(IReadOnlyList<Guid> users, IReadOnlyList<Guid> groups, string user);

    /// <summary>Read only: interleaves with other requests.</summary>
    [Alias("IsEntitledAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<bool> IsEntitledAsync(Guid userId);

    /// <summary>Gives a VM of this pool to an entitled user, freeing the user's other VM in the pool first.</summary>
    [Alias("AssignVmAsync")]
    Task AssignVmAsync(Guid vmId, Guid userId, string user);

    [Alias("FreeVmAsync")]
    Task FreeVmAsync(Guid vmId, Guid userId, string user);

    /// <summary>RESERVED ⇔ ACTIVE; a reserved VM is never handed out.</summary>
    [Alias("ReserveVmAsync")]
    Task ReserveVmAsync(Guid vmId, bool reserved, string user);

    /// <summary>
    /// The user's VM in this pool, or a free one now assigned to them, or why there is none. Requests interleave: the
    /// pool promises distinct candidates in memory and the VM grains confirm them in parallel, each VM grain being the
    /// one judge of whether it is still free.
    /// </summary>
    [Alias("TakeVmForUserAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<VmTake> TakeVmForUserAsync(Guid userId);

    /// <summary>
    /// The controller no longer has the user's VM (the VM grain marked it FAILED): an automated or guest pool frees
    /// the user from it and hands out another (its VMs are alike); a static pool's VM was chosen for the user by an
    /// administrator, so there is no replacement (null) and the caller answers the VM's error.
    /// </summary>
    [Alias("ReplaceLostVmAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<VmTake?> ReplaceLostVmAsync(Guid vmId, Guid userId);

    /// <summary>
    /// An RDS pool's hosts in the order a thin client should try them: the round-robin's next host first, then the
    /// others (a host that cannot be reached is skipped by the caller). Nothing is assigned: an RDS host is shared.
    /// Throws Invalid for a pool of another type, NotFound for none.
    /// </summary>
    [Alias("RdsHostsAsync")]
    Task<IReadOnlyList<Guid>> RdsHostsAsync();

    /// <summary>
    /// Rolls a new template out to an automated or guest pool (POOL_TEMPLATE_CHANGE): new VMs are cloned from it, and
    /// the VMs no user is in are recreated from it; a VM a client reports in use is left for a later run.
    /// </summary>
    [Alias("ChangeTemplateAsync")]
    Task<TaskView> ChangeTemplateAsync(Guid templateId, string user);
}
