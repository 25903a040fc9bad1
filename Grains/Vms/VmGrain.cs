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
    BrokerMetrics metrics,
    TimeProvider time,
    ILogger<VmGrain> logger) : Grain, IVmGrain, IVmInternalGrain, IRemindable
{
    private VmPowerPolicies? _policies;

    private VmPowerPolicies Policies => _policies ??= new VmPowerPolicies(this, GrainFactory, () => state.State,
        withOwners => SaveAsync("UPDATED", withOwners), () => state.WriteOrForgetAsync(this), controllers, journal, reminderPeriods,
        ecpOptions.CurrentValue.AttemptTimeout * 4, metrics, time, logger);

    private Guid Id => this.GetPrimaryKey();

    private VmState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists)
        {
            Policies.Resume();
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
                await Policies.ReactToPowerAsync();
            }
        }
    }

    public Task UserConnectedAsync(Guid userId) => state.RecordExists ? Policies.UserIsBackAsync() : Task.CompletedTask;

    public Task UserLeftAsync(Guid userId) => state.RecordExists ? Policies.UserLeftAsync(userId, TimeSpan.Zero) : Task.CompletedTask;

    public Task UserLostAsync(Guid userId, TimeSpan grace) => state.RecordExists ? Policies.UserLeftAsync(userId, grace) : Task.CompletedTask;

    public Task<DateTimeOffset?> GetPendingDisconnectAsync() => Task.FromResult(S.PendingDisconnect?.Deadline);

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == DisconnectAlarm.ReminderName ? Policies.OnReminderAsync(state.RecordExists) : Task.CompletedTask;

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

    // (the previous release's gateways call this one during a rolling upgrade)
    public Task<VmConnectionData> PrepareConnectionAsync(ConnectionType protocol) => ConnectAsync(new ConnectRequest(protocol));

    public async Task<VmConnectionData> ConnectAsync(ConnectRequest request)
    {
        RequireExists();
        await Policies.UserIsBackAsync();
        var prepared = await Controller().PrepareAsync(request.Protocol, thinClients.Value, time);
        await ObservePowerAsync(prepared.Domain.PowerState);
        if (GuestTimeZone.Command(request.TimeZone, prepared.Domain.OsType) is { } command)
        {
            // after the answer: the user does not wait for the guest agent (the original waited up to 30 s)
            _ = SetTimeZoneAsync(command);
        }

        var connection = prepared.Connection;
        return S.ConnectionOverrides.TryGetValue(request.Protocol, out var o) && o.Active
            ? connection with { Host = o.Address, Port = o.Port ?? connection.Port }
            : connection;
    }

    private async Task SetTimeZoneAsync(GuestTimeZone.GuestCommand command)
    {
        try
        {
            await Controller().GuestExecAsync(command.Path, command.Arguments, thinClients.Value.GuestAgentTimeout, thinClients.Value.AddressPollInterval, time);
            LogTimeZoneSet(logger, S.VerboseName, command.Zone);
        }
        catch (Exception e)
        {
            // nobody awaits this task: whatever went wrong is logged here, never the user's
            LogTimeZoneFailed(logger, S.VerboseName, command.Zone, e.Message);
        }
    }

    public async Task<IReadOnlyList<RdsFarm>> GetPublishedAppsAsync(string userName)
    {
        RequireExists();
        var output = await ReadOnlyController().GuestExecAsync(PublishedApps.Path, PublishedApps.Arguments(userName), thinClients.Value.GuestAgentTimeout,
            thinClients.Value.AddressPollInterval, time, PublishedApps.CommandTimeoutSeconds);
        return PublishedApps.Parse(output);
    }

    public Task<string> ConsoleUrlAsync(string by) => Administration().ConsoleUrlAsync(by);

    public Task AttachGuestUtilsAsync(string by) => Administration().AttachGuestUtilsAsync(by);

    public Task<Guid> ConvertToTemplateAsync(string name, string by) => Administration().ConvertToTemplateAsync(name, by);

    public Task BackupAsync(string by) => Administration().BackupAsync(by);

    public Task<IReadOnlyList<VmBackup>> ListBackupsAsync() => Administration().ListBackupsAsync();

    public Task<Guid> RestoreBackupAsync(Guid file, string by) => Administration().RestoreBackupAsync(file, by);

    private VmAdministration Administration()
    {
        RequireExists();
        return new VmAdministration(Id, S, ReadOnlyController(), journal, GrainFactory, ecpOptions.CurrentValue.AttemptTimeout * 4);
    }

    public Task<IReadOnlyList<ConnectionOverride>> GetConnectionOverridesAsync()
    {
        RequireExists();
        return Task.FromResult(Overrides());
    }

    [LoggerMessage(EventId = LogEvents.VmTimeZoneSet, Level = LogLevel.Information, Message = "VM {Vm}: the guest's time zone set to {Zone} (the thin client's)")]
    private static partial void LogTimeZoneSet(ILogger logger, string vm, string zone);

    [LoggerMessage(EventId = LogEvents.VmTimeZoneFailed, Level = LogLevel.Warning, Message = "VM {Vm}: the guest's time zone could not be set to {Zone}: {Reason}")]
    private static partial void LogTimeZoneFailed(ILogger logger, string vm, string zone, string reason);

    private IReadOnlyList<ConnectionOverride> Overrides() => [.. S.ConnectionOverrides.Values.OrderBy(o => o.ConnectionType)];

    public async Task<IReadOnlyList<ConnectionOverride>> SetConnectionOverrideAsync(ConnectionType protocol, ConnectionOverride? value, string by)
    {
        RequireExists();
        if (value is null)
        {
            if (S.ConnectionOverrides.Remove(protocol))
            {
                await SaveAsync("UPDATED");
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"VM {S.VerboseName}: the {protocol.ToWire()} connection override has been removed.", "",
                    EntityType.Vm, Id, by));
            }

            return Overrides();
        }

        var address = value.Address?.Trim() ?? "";
        if (address.Length is 0 or > 128 || Uri.CheckHostName(address) == UriHostNameType.Unknown)
        {
            throw BrokerException.Invalid("address", "address: a host name or an IP address, at most 128 characters");
        }

        if (value.Port is < 1 or > 65535)
        {
            throw BrokerException.Invalid("port", "port: 1 to 65535, or none to keep the protocol's");
        }

        var next = new ConnectionOverride(protocol, address, value.Port, value.Active);
        if (S.ConnectionOverrides.GetValueOrDefault(protocol) != next)
        {
            S.ConnectionOverrides[protocol] = next;
            await SaveAsync("UPDATED");
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
                $"VM {S.VerboseName}: {protocol.ToWire()} connections go to {address}{(next.Port is { } p ? $":{p}" : "")}{(next.Active ? "" : " (inactive)")}.", "",
                EntityType.Vm, Id, by));
        }

        return Overrides();
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

    /// <summary>For the interleaved calls: they never change the VM's state (a VM the controller lost is marked by its event stream and health check).</summary>
    private VmControllerCalls ReadOnlyController() => new(Id, S.ControllerId, S.VerboseName, controllers, () => Task.CompletedTask);

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
        await state.WriteOrForgetAsync(this);
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
}
