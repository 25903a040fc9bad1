using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
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
using Vdi.Grains.Pools;
using Vdi.Grains.ThinClients;
using Vdi.Grains.Vms.Policies;

namespace Vdi.Grains.Vms;

/// <summary>
/// One VM of the broker's: its record, owners and projection; the controller's events about it (relayed to its users,
/// keep-on); the action after a disconnect (<see cref="DisconnectAlarm"/>, <see cref="DisconnectPolicy"/>); and the
/// thin client's preparation (<see cref="VmConnector"/>).
/// </summary>
[GrainType("vm")]
public sealed partial class VmGrain(
    [PersistentState("vm", StorageNames.Main)] IPersistentState<VmState> state,
    VmTable table,
    LiveEventPublisher live,
    ControllerSessions controllers,
    IOptionsMonitor<EcpClientOptions> ecpOptions,
    IOptions<ThinClientOptions> thinClients,
    JournalWriter journal,
    ReminderPeriods reminderPeriods,
    TimeProvider time,
    ILogger<VmGrain> logger) : Grain, IVmGrain, IVmInternalGrain, IRemindable
{
    private DisconnectAlarm? _alarm;

    private DisconnectAlarm Alarm => _alarm ??= new DisconnectAlarm(this, reminderPeriods, time, OnDeadlineAsync);

    private Guid Id => this.GetPrimaryKey();

    private VmState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && S.PendingDisconnect is { } pending)
        {
            Alarm.StartTimer(pending);
        }

        return Task.CompletedTask;
    }

    public async Task<VmView> AttachAsync(VmAttachment attachment)
    {
        if (string.IsNullOrWhiteSpace(attachment.VerboseName))
        {
            throw BrokerException.Invalid("verbose_name", "verbose_name must not be empty");
        }

        if (!state.RecordExists)
        {
            S.Status = VmStatus.Active;
        }

        S.ControllerId = attachment.ControllerId;
        S.PoolId = attachment.PoolId;
        S.VerboseName = attachment.VerboseName.Trim();
        S.PowerState = attachment.PowerState;
        S.CreatedByBroker = attachment.CreatedByBroker;
        await SaveAsync("CREATED");
        return S.ToView(Id);
    }

    public Task<VmView?> GetAsync() => Task.FromResult(state.RecordExists ? S.ToView(Id) : null);

    public async Task ApplyDomainChangeAsync(DomainChange change)
    {
        if (!state.RecordExists || change.ControllerId != S.ControllerId)
        {
            return; // not a VM of the broker's, or an event from a controller it no longer belongs to
        }

        var changed = change.Event == "DELETED" && MarkGone();
        if (change.PowerState is { } power && power != S.PowerState)
        {
            S.PowerState = power;
            changed = true;
        }

        if (!string.IsNullOrWhiteSpace(change.VerboseName) && change.VerboseName != S.VerboseName)
        {
            S.VerboseName = change.VerboseName;
            changed = true;
        }

        if (changed)
        {
            await SaveAsync("UPDATED");
            await RelayToUsersAsync(change);
            if (change.PowerState is not null)
            {
                await KeepOnAsync();
            }
        }
    }

    /// <summary>Keep-on's reaction to a power event: an assigned VM of a keep-on pool that went off is started again.</summary>
    private async Task KeepOnAsync()
    {
        if (S.PoolId is not { } poolId || S.Owners.Count == 0 || S.PowerState is not (PowerState.Off or PowerState.Suspended))
        {
            return;
        }

        var pool = await GrainFactory.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync();
        if (pool is null || !KeepOnPolicy.ShouldStart(pool.KeepVmsOn, S.Owners.Count, S.Status, S.PowerState, S.HeldOff))
        {
            return;
        }

        try
        {
            var client = await controllers.ConnectAsync(S.ControllerId);
            await client.PowerAsync(Id, S.PowerState == PowerState.Suspended ? PowerAction.Resume : PowerAction.Start, force: false);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"VM {S.VerboseName} was started: its pool keeps assigned VMs on.", "", EntityType.Vm, Id));
        }
        catch (Exception e) when (e is EcpException or BrokerException)
        {
            LogKeepOnFailed(logger, Id, e.Message); // the 60 s reconciliation tries again
        }
    }

    public Task UserConnectedAsync(Guid userId) => state.RecordExists ? UserIsBackAsync() : Task.CompletedTask;

    /// <summary>The user is back for this VM: what was waiting for their absence no longer applies.</summary>
    private async Task UserIsBackAsync()
    {
        if (S.PendingDisconnect is null && !S.HeldOff)
        {
            return;
        }

        S.PendingDisconnect = null;
        S.HeldOff = false;
        await SaveAsync("UPDATED");
        await Alarm.DisarmAsync();
    }

    public async Task UserLeftAsync(Guid userId)
    {
        if (!state.RecordExists || S.PoolId is not { } poolId)
        {
            return;
        }

        var pool = await GrainFactory.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync();
        if (DisconnectPolicy.Schedule(pool, userId, time.GetUtcNow()) is not { } pending)
        {
            return;
        }

        S.PendingDisconnect = pending;
        await state.WriteStateAsync();
        await Alarm.ArmAsync(pending);
    }

    private async Task OnDeadlineAsync(Guid pendingId)
    {
        if (S.PendingDisconnect is { } pending && pending.Id == pendingId)
        {
            await ApplyDisconnectActionAsync(pending, time.GetUtcNow());
        }
    }

    public Task<DateTimeOffset?> GetPendingDisconnectAsync() => Task.FromResult(S.PendingDisconnect?.Deadline);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DisconnectAlarm.ReminderName)
        {
            return;
        }

        if (!state.RecordExists || S.PendingDisconnect is not { } pending)
        {
            await Alarm.DisarmAsync();
            return;
        }

        var now = time.GetUtcNow();
        if (DisconnectPolicy.Remaining(pending, now) > TimeSpan.FromMilliseconds(500))
        {
            await Alarm.ArmAsync(pending); // woken early (a retry tick, or a clock that disagrees): wait for the deadline itself
            return;
        }

        await ApplyDisconnectActionAsync(pending, now);
    }

    private async Task ApplyDisconnectActionAsync(PendingDisconnect pending, DateTimeOffset firedAt)
    {
        var pool = S.PoolId is { } poolId ? await GrainFactory.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync() : null;
        if (pool is null)
        {
            S.PendingDisconnect = null;
            await state.WriteStateAsync();
            await Alarm.DisarmAsync();
            return;
        }

        var plan = DisconnectPolicy.Plan(pool, pending, S.Owners, S.PowerState);
        var results = new List<string>();
        if (plan.Recreate)
        {
            // the VM leaves service before the task that replaces it exists (the task id is the wait's: started once)
            S.Owners.Clear();
            S.Status = VmStatus.Deleting;
            await SaveAsync("UPDATED", withOwners: true);
            await GrainFactory.GetGrain<ITaskGrain>(pending.Id).StartAsync(new BrokerTaskRequest
            {
                Type = BrokerTaskType.VmGuestRecreation,
                EntityId = Id,
                PoolId = S.PoolId,
                Creator = "system",
            });
            results.Add("recreation started");
        }

        var freed = plan.FreeUser && S.Owners.Remove(pending.UserId);
        if (freed)
        {
            results.Add("freed from the user");
        }

        if (plan.Power is { } step)
        {
            // a controller that cannot be reached is an error: the reminder's next tick tries again
            var client = await controllers.ConnectAsync(S.ControllerId);
            var outcome = await client.WaitForTaskAsync(await client.PowerAsync(Id, step.Action, step.Force), ecpOptions.CurrentValue.AttemptTimeout * 4);
            var action = step.Action.ToWireLower();
            results.Add(outcome.Succeeded ? $"{action}{(step.Force ? " (forced)" : "")} done" : $"{action} failed: {outcome.Error ?? outcome.Status}");
        }

        S.HeldOff = DisconnectPolicy.HoldsPowerOff(plan, S.Owners);
        S.PendingDisconnect = null;
        await SaveAsync("UPDATED", withOwners: freed);
        await Alarm.DisarmAsync();
        var result = results.Count == 0 ? "nothing to do" : string.Join(", ", results);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
            $"Action upon user disconnect completed. Action: {plan.Action.ToWire()}. VM: {S.VerboseName}. Result: {result}.",
            $"User id: {pending.UserId}. Deadline: {pending.Deadline:O}. Fired: {firedAt:O}.", EntityType.Vm, Id));
    }

    /// <summary>The controller's message, as the original relays it, to the owners' sessions that use this VM.</summary>
    private Task RelayToUsersAsync(DomainChange change)
    {
        if (S.Owners.Count == 0)
        {
            return Task.CompletedTask;
        }

        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            msg_type = "data",
            resource = LiveStreams.Domains,
            @event = change.Event,
            id = Id,
            @object = new { id = Id, verbose_name = S.VerboseName, user_power_state = (int)S.PowerState },
        });
        return Task.WhenAll(S.Owners.Select(u => GrainFactory.GetGrain<IUserSessionsGrain>(u).RelayVmEventAsync(Id, json)));
    }

    public async Task FollowControllerAsync(ControllerStatus status)
    {
        if (!state.RecordExists || S.Status is VmStatus.Reserved or VmStatus.Deleting or VmStatus.Creating)
        {
            return;
        }

        var next = status switch
        {
            ControllerStatus.Active => VmStatus.Active,
            ControllerStatus.Failed or ControllerStatus.BadAuth => VmStatus.Failed,
            ControllerStatus.Service => VmStatus.Service,
            _ => S.Status,
        };
        if (next != S.Status)
        {
            S.Status = next;
            await SaveAsync("UPDATED");
        }
    }

    public async Task<VmView> SetStatusAsync(VmStatus status)
    {
        RequireExists();
        if (S.Status != status)
        {
            S.Status = status;
            await SaveAsync("UPDATED");
        }

        return S.ToView(Id);
    }

    public async Task<bool> TryTakeAsync(Guid userId)
    {
        if (!state.RecordExists || S.Status != VmStatus.Active || S.Owners.Count > 0)
        {
            return false;
        }

        S.Owners.Add(userId);
        await SaveAsync("UPDATED", withOwners: true);
        return true;
    }

    public async Task<VmView> AddOwnerAsync(Guid userId)
    {
        RequireExists();
        if (S.Owners.Add(userId))
        {
            await SaveAsync("UPDATED", withOwners: true);
        }

        return S.ToView(Id);
    }

    public async Task<VmView> RemoveOwnerAsync(Guid userId)
    {
        RequireExists();
        if (S.Owners.Remove(userId))
        {
            await SaveAsync("UPDATED", withOwners: true);
        }

        return S.ToView(Id);
    }

    public async Task<VmView> PowerAsync(PowerAction action, bool force)
    {
        RequireExists();
        var domain = await Controller().PowerAsync(action, force, ecpOptions.CurrentValue.AttemptTimeout * 4);
        await ObservePowerAsync(domain.PowerState);
        return S.ToView(Id);
    }

    public async Task<VmConnectionData> PrepareConnectionAsync(ConnectionType protocol)
    {
        RequireExists();
        await UserIsBackAsync();
        var prepared = await Controller().PrepareAsync(protocol, thinClients.Value, time);
        await ObservePowerAsync(prepared.Domain.PowerState);
        return prepared.Connection;
    }

    public async Task<VmDomainData> ReadDomainAsync()
    {
        RequireExists();
        var (domain, host) = await Controller().ReadAsync();
        await ObservePowerAsync(domain.PowerState);
        return new VmDomainData(domain.Json, host, host, domain.RemoteAccessPort);
    }

    public async Task<string> UsbAsync(UsbRequest request)
    {
        RequireExists();
        if (request.Attach && (string.IsNullOrWhiteSpace(request.HostAddress) || request.HostPort is <= 0 or > 65535))
        {
            throw BrokerException.Invalid("host_address", "host_address and host_port (1-65535) are required to attach a USB device");
        }

        if (!request.Attach && !request.RemoveAll && string.IsNullOrWhiteSpace(request.UsbUuid))
        {
            throw BrokerException.Invalid("usb_uuid", "usb_uuid is required unless remove_all is true");
        }

        return await Controller().UsbAsync(request);
    }

    private VmControllerCalls Controller() => new(Id, S.ControllerId, S.VerboseName, controllers, OnGoneAsync);

    /// <summary>The controller answered 404: the VM becomes FAILED, as on a DELETED event (the original's rule).</summary>
    private async Task OnGoneAsync()
    {
        if (MarkGone())
        {
            await SaveAsync("UPDATED");
            await journal.WriteAsync(new JournalEntry(JournalLevel.Warning,
                $"VM {S.VerboseName} no longer exists on its controller: marked FAILED.", "", EntityType.Vm, Id));
        }
    }

    /// <summary>The controller no longer has the VM: FAILED, power unknown. False when it was so already.</summary>
    private bool MarkGone()
    {
        var changed = S.Status != VmStatus.Failed || S.PowerState != PowerState.Undefined;
        S.Status = VmStatus.Failed;
        S.PowerState = PowerState.Undefined;
        return changed;
    }

    private async Task ObservePowerAsync(PowerState power)
    {
        if (power != S.PowerState)
        {
            S.PowerState = power;
            await SaveAsync("UPDATED");
        }
    }

    public async Task ForgetAsync()
    {
        if (!state.RecordExists)
        {
            return;
        }

        await state.ClearStateAsync();
        await table.DeleteAsync(Id);
        await live.PublishAsync(LiveStreams.Domains, "DELETED", Id, new { id = Id });
        DeactivateOnIdle();
    }

    private void RequireExists()
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"the broker does not know VM {Id}");
        }
    }

    private async Task SaveAsync(string @event, bool withOwners = false)
    {
        S.Updated = time.GetUtcNow();
        await state.WriteStateAsync();
        await table.UpsertAsync(Id, S, withOwners);
        await live.PublishAsync(LiveStreams.Domains, @event, Id, new
        {
            Id,
            S.ControllerId,
            S.PoolId,
            S.VerboseName,
            status = S.Status.ToWire(),
            user_power_state = (int)S.PowerState,
        });
    }

    [LoggerMessage(EventId = LogEvents.VmKeepOnFailed, Level = LogLevel.Information, Message = "Keep-on could not start VM {Vm}: {Reason}")]
    private static partial void LogKeepOnFailed(ILogger logger, Guid vm, string reason);
}
