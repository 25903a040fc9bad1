using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;
using Vdi.Grains.Tasks;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Pools;

/// <summary>
/// One pool. Being single-threaded per pool, it is the lock the original took around handing out VMs: two users can
/// never get the same VM, and concurrent expansion triggers start exactly one expansion.
/// </summary>
[GrainType("pool")]
public sealed class PoolGrain(
    [PersistentState("pool", StorageNames.Main)] IPersistentState<PoolState> state,
    PoolTable table,
    JournalWriter journal,
    LiveEventPublisher live,
    Controllers.ControllerSessions controllers,
    Microsoft.Extensions.Logging.ILogger<PoolGrain> logger,
    TimeProvider time) : Grain, IPoolGrain, IPoolInternalGrain
{
    private PoolTag? _tag;
    private SerializedWrites? _serializedWrites;
    private VmHandOut? _handOut;
    private PoolExpansion? _expansion;
    private PoolEntitlements? _entitlements;
    private PoolVmAdministration? _vms;
    private readonly RdsRotation _rds = new();

    private SerializedWrites Writes => _serializedWrites ??= new SerializedWrites(() => state.WriteOrForgetAsync(this));

    private VmHandOut HandOut => _handOut ??= new VmHandOut(
        user => table.VmOfUserAsync(Id, user),
        (limit, promised) => table.FreeVmsAsync(Id, limit, promised),
        (vm, user) => GrainFactory.GetGrain<IVmInternalGrain>(vm).TryTakeAsync(user));

    private PoolExpansion Expansion => _expansion ??= new PoolExpansion(() => state.State, Id, table, GrainFactory, Writes.WriteAsync);

    private PoolVmAdministration Vms => _vms ??= new PoolVmAdministration(() => state.State, Id, table, journal, GrainFactory, IsEntitledAsync);

    private PoolEntitlements Entitlements => _entitlements ??= new PoolEntitlements(() => state.State, Id, Writes.WriteAsync, table, journal, live, GrainFactory);

    private PoolTag Tag => _tag ??= new PoolTag(controllers, logger);

    private Guid Id => this.GetPrimaryKey();

    private bool Exists => state.RecordExists;

    public async Task<PoolView> CreateAsync(PoolType type, PoolSettings settings, string user)
    {
        if (Exists)
        {
            throw new BrokerException(ErrorKind.Conflict, $"pool {Id} already exists");
        }

        var pool = PoolRules.Create(type, settings, user, time.GetUtcNow());
        var controller = await GrainFactory.GetGrain<IControllerGrain>(pool.ControllerId).GetAsync()
            ?? throw new BrokerException(ErrorKind.Invalid, $"controller_id: no controller has the id {pool.ControllerId}", "controller_id");
        if (controller.Status != ControllerStatus.Active)
        {
            throw new BrokerException(ErrorKind.ControllerUnavailable, $"the controller {controller.VerboseName} is {controller.Status.ToWire()}", "controller_id");
        }

        if (type is PoolType.Static or PoolType.Rds)
        {
            pool.Status = PoolStatus.Active;
        }

        await table.UpsertAsync(Id, pool); // reserves the name, or throws Conflict
        state.State = pool;
        await Writes.WriteAsync();
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Pool {pool.VerboseName} created.",
            $"Type: {type.ToWire()}.", EntityType.Pool, Id, user));
        await PublishAsync("CREATED");
        if (type is PoolType.Static or PoolType.Rds)
        {
            await AttachStaticVmsAsync(settings.VmIds ?? [], user);
        }
        else
        {
            await StartTaskAsync(new BrokerTaskRequest { Type = BrokerTaskType.PoolCreate, EntityId = Id, Creator = user });
        }

        return await ViewAsync();
    }

    public async Task<PoolView?> GetAsync() => Exists ? await ViewAsync() : null;

    public async Task<PoolView?> GetSettingsForUserAsync(Guid userId, bool anyPool) =>
        Exists && (anyPool || await IsEntitledAsync(userId)) ? state.State.ToView(Id, 0) : null;

    public Task<VmPolicySettings?> GetVmPolicyAsync() => Task.FromResult(Exists ? state.State.ToVmPolicy() : null);

    public Task<PoolCounts> GetCountsAsync() => table.CountsAsync(Id);

    public async Task<PoolView> UpdateAsync(PoolSettings changes, string user)
    {
        RequireExists();
        var counts = await table.CountsAsync(Id);
        var previousName = state.State.VerboseName;
        var updated = PoolRules.Update(state.State, changes, counts.Vms);
        // a smaller total_size is the original's POOL_DECREASE task (it waits for the pool's other tasks); the rest now
        int? decrease = updated.TotalSize < state.State.TotalSize ? updated.TotalSize : null;
        if (decrease is not null)
        {
            updated.TotalSize = state.State.TotalSize;
        }

        await ApplyAsync(updated, $"Pool {updated.VerboseName} updated.", "", user);
        if (updated.VerboseName != previousName)
        {
            await Tag.RenameAsync(updated.ControllerId, updated.TagId, updated.VerboseName);
        }

        if (decrease is { } size)
        {
            await StartTaskAsync(new BrokerTaskRequest { Type = BrokerTaskType.PoolDecrease, EntityId = Id, Creator = user, NewTotalSize = size });
        }

        await RequestAutoExpansionAsync(); // a larger reserve may call for more VMs
        return await ViewAsync();
    }

    public Task<TaskView> ChangeTemplateAsync(Guid templateId, string user)
    {
        RequireAutomated();
        if (templateId == Guid.Empty)
        {
            throw BrokerException.Invalid("template_id", "template_id is required");
        }

        return StartTaskAsync(new BrokerTaskRequest { Type = BrokerTaskType.PoolTemplateChange, EntityId = Id, Creator = user, TemplateId = templateId });
    }

    public async Task SetTemplateAsync(Guid templateId, string user)
    {
        RequireAutomated();
        if (state.State.TemplateId == templateId)
        {
            return;
        }

        var updated = state.State.Copy();
        updated.TemplateId = templateId;
        await ApplyAsync(updated, $"Pool {updated.VerboseName} template changed.", $"Template: {templateId}.", user);
        HandOut.Invalidate();
    }

    /// <summary>A changed copy of the pool made its state: the list's row (it reserves the name) first, then the state, the journal, the live event.</summary>
    private async Task ApplyAsync(PoolState updated, string message, string description, string user)
    {
        updated.Updated = time.GetUtcNow();
        await table.UpsertAsync(Id, updated);
        state.State = updated;
        await Writes.WriteAsync();
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, message, description, EntityType.Pool, Id, user));
        await PublishAsync("UPDATED");
    }

    public async Task<int> DecreaseTotalSizeAsync(int size, string user)
    {
        RequireAutomated();
        var vms = await table.VmCountAsync(Id);
        if (size < vms)
        {
            throw new BrokerException(ErrorKind.Invalid, $"total_size ({size}) must not be less than the pool's {vms} VMs", "total_size");
        }

        if (size >= state.State.TotalSize)
        {
            return state.State.TotalSize;
        }

        var updated = state.State.Copy();
        updated.TotalSize = size;
        PoolRules.Validate(updated, vms);
        await ApplyAsync(updated, $"Pool {updated.VerboseName} total size decreased to {size}.", "", user);
        return size;
    }

    public async Task<PoolView> CopyAsync(Guid newPoolId, string verboseName, string user)
    {
        RequireExists();
        if (!state.State.IsAutomated)
        {
            throw new BrokerException(ErrorKind.Invalid, "only automated and guest pools can be copied", "pool_type");
        }

        return await GrainFactory.GetGrain<IPoolGrain>(newPoolId).CreateAsync(state.State.PoolType,
            state.State.ToSettings() with { VerboseName = verboseName }, user);
    }

    public async Task<TaskView> RemoveAsync(bool deleteVms, string user, bool deleteComputersFromAd = false)
    {
        RequireExists();
        return await StartTaskAsync(new BrokerTaskRequest
        {
            Type = BrokerTaskType.PoolDelete, EntityId = Id, Creator = user, DeleteVms = deleteVms, DeleteComputersFromAd = deleteComputersFromAd,
        });
    }

    public Task<TaskView> ExpandAsync(string user)
    {
        RequireAutomated();
        return Expansion.ExpandAsync(user);
    }

    public Task<TaskView?> RequestAutoExpansionAsync() => Exists ? Expansion.RequestAsync() : Task.FromResult<TaskView?>(null);

    public Task ExpansionFinishedAsync(Guid taskId) => Exists ? Expansion.FinishedAsync(taskId) : Task.CompletedTask;

    public async Task<PoolView> ClearAsync(string user)
    {
        RequireExists();
        if (state.State.Status is PoolStatus.Failed or PoolStatus.Partial or PoolStatus.Creating)
        {
            await SetStatusAsync(PoolStatus.Active, null);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Pool {state.State.VerboseName} errors cleared.", "", EntityType.Pool, Id, user));
        }

        return await ViewAsync();
    }

    public async Task<TaskView> PrepareAsync(string user)
    {
        RequireExists();
        return await StartTaskAsync(new BrokerTaskRequest { Type = BrokerTaskType.PoolPrepare, EntityId = Id, Creator = user });
    }

    public async Task<PoolView> AddVmsAsync(IReadOnlyList<Guid> vmIds, string user)
    {
        RequireExists();
        if (state.State.IsAutomated)
        {
            throw new BrokerException(ErrorKind.Invalid, "VMs can be added by hand only to a static or an RDS pool", "vms");
        }

        await AttachStaticVmsAsync(vmIds, user);
        HandOut.Invalidate();
        return await ViewAsync();
    }

    public async Task<TaskView> RemoveVmsAsync(IReadOnlyList<Guid> vmIds, string user, bool deleteComputersFromAd = false)
    {
        RequireExists();
        if (vmIds.Count == 0)
        {
            throw new BrokerException(ErrorKind.Invalid, "vms: name at least one VM", "vms");
        }

        return await StartTaskAsync(new BrokerTaskRequest
        {
            Type = BrokerTaskType.VmsRemove, EntityId = Id, Creator = user, VmIds = [.. vmIds], DeleteComputersFromAd = deleteComputersFromAd,
        });
    }

    public Task EntitleAsync(IReadOnlyList<Guid> users, IReadOnlyList<Guid> groups, string user)
    {
        RequireExists();
        return Entitlements.ChangeAsync(users, groups, user, add: true);
    }

    public Task UnentitleAsync(IReadOnlyList<Guid> users, IReadOnlyList<Guid> groups, string user)
    {
        RequireExists();
        return Entitlements.ChangeAsync(users, groups, user, add: false);
    }

    public async Task<bool> IsEntitledAsync(Guid userId) => Exists && await Entitlements.IsEntitledAsync(userId);

    public async Task AssignVmAsync(Guid vmId, Guid userId, string user)
    {
        RequireNotRds();
        await HandOut.WaitForUserAsync(userId); // the user's own request finishes first; the assignment below then moves them
        await Vms.AssignAsync(vmId, userId, user);
        await RequestAutoExpansionAsync();
    }

    public async Task FreeVmAsync(Guid vmId, Guid userId, string user)
    {
        RequireExists();
        await Vms.FreeAsync(vmId, userId, user);
        HandOut.Invalidate();
    }

    public async Task ReserveVmAsync(Guid vmId, bool reserved, string user)
    {
        RequireExists();
        if (await Vms.ReserveAsync(vmId, reserved))
        {
            HandOut.Invalidate();
            await RequestAutoExpansionAsync();
        }
    }

    public async Task<VmTake> TakeVmForUserAsync(Guid userId)
    {
        RequireNotRds();
        var (vm, own) = await HandOut.TakeAsync(userId);
        if (vm is { } taken)
        {
            await ExpandIfRunningLowAsync(); // the original checks its reserve on every hand-out, own VM or new
            return VmTake.Of(taken);
        }

        var expansion = await RequestAutoExpansionAsync();
        return NoVmRules.Refusal(state.State, await table.CountsAsync(Id), expansion is { IsFinished: false });
    }

    public async Task<VmTake?> ReplaceLostVmAsync(Guid vmId, Guid userId)
    {
        RequireExists();
        if (!state.State.IsAutomated)
        {
            return null;
        }

        await FreeVmAsync(vmId, userId, "system");
        return await TakeVmForUserAsync(userId);
    }

    public async Task<IReadOnlyList<Guid>> RdsHostsAsync()
    {
        RequireExists();
        if (state.State.PoolType != PoolType.Rds)
        {
            throw new BrokerException(ErrorKind.Invalid, "only an RDS pool shares its hosts", "pool_type");
        }

        return _rds.Order(await table.ActiveVmsAsync(Id));
    }

    /// <summary>The auto-expand rule needs a count query; run it only when the prefetched free VMs run low.</summary>
    private Task ExpandIfRunningLowAsync() =>
        state.State.IsAutomated && HandOut.Prefetched <= state.State.ReserveSize ? RequestAutoExpansionAsync() : Task.CompletedTask;

    public async Task SetStatusAsync(PoolStatus status, string? reason)
    {
        RequireExists();
        if (state.State.Status == status && state.State.StatusReason == reason)
        {
            return;
        }

        state.State.Status = status;
        state.State.StatusReason = reason;
        state.State.Updated = time.GetUtcNow();
        await Writes.WriteAsync();
        await table.UpsertAsync(Id, state.State);
        await PublishAsync("UPDATED");
    }

    public async Task SetOsTypeAsync(string osType)
    {
        RequireExists();
        state.State.OsType = osType;
        await Writes.WriteAsync();
        await table.UpsertAsync(Id, state.State);
    }

    public async Task FollowControllerAsync(ControllerStatus status)
    {
        if (!Exists || state.State.Status is PoolStatus.Deleting)
        {
            return;
        }

        var next = status switch
        {
            ControllerStatus.Active when state.State.Status is PoolStatus.Failed or PoolStatus.Service => PoolStatus.Active,
            ControllerStatus.Failed or ControllerStatus.BadAuth => PoolStatus.Failed,
            ControllerStatus.Service => PoolStatus.Service,
            _ => state.State.Status,
        };
        await SetStatusAsync(next, next == PoolStatus.Active ? null : $"controller is {status.ToWire()}");
    }

    public async Task ForgetAsync(string user)
    {
        if (!Exists)
        {
            return;
        }

        var name = state.State.VerboseName;
        await Tag.DeleteAsync(state.State.ControllerId, state.State.TagId, name);
        await state.ClearStateAsync();
        await table.DeleteAsync(Id);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Pool {name} deleted.", "", EntityType.Pool, Id, user));
        await live.PublishAsync(LiveStreams.Pools, "DELETED", Id, new { id = Id, verbose_name = name });
        DeactivateOnIdle();
    }

    private async Task AttachStaticVmsAsync(IReadOnlyList<Guid> vmIds, string user)
    {
        await new StaticVmAttach(GrainFactory).AttachAsync(Id, state.State.ControllerId, vmIds, user);
        await TagVmsAsync(vmIds);
    }

    public async Task TagVmsAsync(IReadOnlyList<Guid> vmIds)
    {
        RequireExists();
        var tag = await Tag.AttachAsync(state.State.ControllerId, state.State.VerboseName, state.State.TagId, vmIds);
        if (tag != state.State.TagId)
        {
            state.State.TagId = tag;
            await Writes.WriteAsync();
        }
    }

    private Task<TaskView> StartTaskAsync(BrokerTaskRequest request) => GrainFactory.GetGrain<ITaskGrain>(Guid.NewGuid()).StartAsync(request);

    private async Task<PoolView> ViewAsync() => state.State.ToView(Id, await table.VmCountAsync(Id));

    private Task PublishAsync(string @event)
    {
        var s = state.State;
        return live.PublishAsync(LiveStreams.Pools, @event, Id, new
        {
            id = Id,
            verbose_name = s.VerboseName,
            pool_type = s.PoolType.ToWire(),
            status = s.Status.ToWire(),
            controller = s.ControllerId,
        });
    }

    private void RequireExists()
    {
        if (!Exists)
        {
            throw BrokerException.NotFound($"no pool has the id {Id}");
        }
    }

    private void RequireNotRds()
    {
        RequireExists();
        if (state.State.PoolType == PoolType.Rds)
        {
            throw new BrokerException(ErrorKind.Invalid, "an RDS pool's hosts are shared by its users: none is assigned to one", "pool_type");
        }
    }

    private void RequireAutomated()
    {
        RequireExists();
        if (!state.State.IsAutomated)
        {
            throw new BrokerException(ErrorKind.Invalid, "only automated and guest pools grow", "pool_type");
        }
    }
}
