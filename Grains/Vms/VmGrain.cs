using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Vms;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Live;
using Vdi.Grains.ThinClients;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Journal;
using Vdi.Grains.Vms.Policies;

namespace Vdi.Grains.Vms;

[GrainType("vm")]
public sealed class VmGrain(
    [PersistentState("vm", StorageNames.Main)] IPersistentState<VmState> state,
    VmTable table,
    LiveEventPublisher live,
    ControllerSessions controllers,
    IOptionsMonitor<EcpClientOptions> ecpOptions,
    IOptions<ThinClientOptions> thinClients,
    JournalWriter journal,
    ReminderPeriods reminderPeriods,
    TimeProvider time,
    ILogger<VmGrain> logger) : Grain, IVmGrain, IRemindable
{
    /// <summary>The one-shot reminder of a pending disconnect action (its period only matters if a firing fails).</summary>
    public const string DisconnectReminder = "disconnect-action";

    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _deadlineTimer;

    private Guid Id => this.GetPrimaryKey();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && state.State.PendingDisconnect is { } pending)
        {
            StartDeadlineTimer(pending);
        }

        return Task.CompletedTask;
    }

    public async Task<VmView> AttachAsync(VmAttachment attachment)
    {
        if (string.IsNullOrWhiteSpace(attachment.VerboseName))
        {
            throw new ArgumentException("verbose_name must not be empty", nameof(attachment));
        }

        var s = state.State;
        if (!state.RecordExists)
        {
            s.Status = VmStatus.Active;
        }

        s.ControllerId = attachment.ControllerId;
        s.PoolId = attachment.PoolId;
        s.VerboseName = attachment.VerboseName.Trim();
        s.PowerState = attachment.PowerState;
        s.CreatedByBroker = attachment.CreatedByBroker;
        await SaveAsync("CREATED");
        return s.ToView(Id);
    }

    public Task<VmView?> GetAsync() => Task.FromResult(state.RecordExists ? state.State.ToView(Id) : null);

    public async Task ApplyDomainChangeAsync(DomainChange change)
    {
        if (!state.RecordExists || change.ControllerId != state.State.ControllerId)
        {
            return; // not a VM of the broker's, or an event from a controller it no longer belongs to
        }

        var s = state.State;
        var changed = false;
        if (change.Event == "DELETED")
        {
            changed = MarkGone();
        }

        if (change.PowerState is { } power && power != s.PowerState)
        {
            s.PowerState = power;
            changed = true;
        }

        if (!string.IsNullOrWhiteSpace(change.VerboseName) && change.VerboseName != s.VerboseName)
        {
            s.VerboseName = change.VerboseName;
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
        var s = state.State;
        if (s.PoolId is not { } poolId || s.Owners.Count == 0 || s.PowerState is not (PowerState.Off or PowerState.Suspended))
        {
            return;
        }

        var pool = await GrainFactory.GetGrain<IPoolGrain>(poolId).GetVmPolicyAsync();
        if (pool is null || !KeepOnPolicy.ShouldStart(pool.KeepVmsOn, s.Owners.Count, s.Status, s.PowerState, s.HeldOff))
        {
            return;
        }

        try
        {
            var client = await controllers.ConnectAsync(s.ControllerId);
            await client.PowerAsync(Id, s.PowerState == PowerState.Suspended ? "resume" : "start", force: false);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"VM {s.VerboseName} was started: its pool keeps assigned VMs on.", "", EntityType.Vm, Id));
        }
        catch (Exception e) when (e is EcpException or ControllerException)
        {
            logger.LogInformation("Keep-on could not start VM {Vm}: {Reason}", Id, e.Message); // the 60 s reconciliation tries again
        }
    }

    public Task UserConnectedAsync(Guid userId) => state.RecordExists ? UserIsBackAsync() : Task.CompletedTask;

    /// <summary>The user is back for this VM: what was waiting for their absence no longer applies.</summary>
    private async Task UserIsBackAsync()
    {
        if (state.State.PendingDisconnect is null && !state.State.HeldOff)
        {
            return;
        }

        state.State.PendingDisconnect = null;
        state.State.HeldOff = false;
        await SaveAsync("UPDATED");
        await DropReminderAsync();
    }

    public async Task UserLeftAsync(Guid userId)
    {
        if (!state.RecordExists || state.State.PoolId is not { } poolId)
        {
            return;
        }

        var pool = await GrainFactory.GetGrain<IPoolGrain>(poolId).GetVmPolicyAsync();
        var pending = DisconnectPolicy.Schedule(pool, userId, time.GetUtcNow());
        if (pending is null)
        {
            return;
        }

        state.State.PendingDisconnect = pending;
        await state.WriteStateAsync();
        await ArmAsync(pending);
    }

    /// <summary>
    /// Two alarms for one deadline: a timer in this activation fires on time, and the durable reminder fires when the
    /// activation (or its silo) is gone by then. Whichever comes first acts; the other finds nothing pending.
    /// </summary>
    private async Task ArmAsync(PendingDisconnect pending)
    {
        var remaining = DisconnectPolicy.Remaining(pending, time.GetUtcNow());
        // a reminder due "now" is first delivered a whole period later, so its due time is never below a second
        var due = remaining < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : remaining;
        await this.RegisterOrUpdateReminder(DisconnectReminder, due, reminderPeriods.AtLeastMinimum(RetryPeriod));
        StartDeadlineTimer(pending);
    }

    private void StartDeadlineTimer(PendingDisconnect pending)
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = this.RegisterGrainTimer(_ => OnDeadlineAsync(pending.Id), new GrainTimerCreationOptions
        {
            DueTime = DisconnectPolicy.Remaining(pending, time.GetUtcNow()),
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private async Task OnDeadlineAsync(Guid pendingId)
    {
        if (state.State.PendingDisconnect is { } pending && pending.Id == pendingId)
        {
            await ApplyDisconnectActionAsync(pending, time.GetUtcNow());
        }
    }

    public Task<DateTimeOffset?> GetPendingDisconnectAsync() => Task.FromResult(state.State.PendingDisconnect?.Deadline);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DisconnectReminder)
        {
            return;
        }

        if (!state.RecordExists || state.State.PendingDisconnect is not { } pending)
        {
            await DropReminderAsync();
            return;
        }

        var now = time.GetUtcNow();
        var remaining = DisconnectPolicy.Remaining(pending, now);
        if (remaining > TimeSpan.FromMilliseconds(500))
        {
            // woken early (a retry tick, or a clock that disagrees): wait for the deadline itself
            await ArmAsync(pending);
            return;
        }

        await ApplyDisconnectActionAsync(pending, now);
    }

    private async Task ApplyDisconnectActionAsync(PendingDisconnect pending, DateTimeOffset firedAt)
    {
        var s = state.State;
        var pool = s.PoolId is { } poolId ? await GrainFactory.GetGrain<IPoolGrain>(poolId).GetVmPolicyAsync() : null;
        if (pool is null)
        {
            s.PendingDisconnect = null;
            await state.WriteStateAsync();
            await DropReminderAsync();
            return;
        }

        var plan = DisconnectPolicy.Plan(pool, pending, s.Owners, s.PowerState);
        var results = new List<string>();
        if (plan.Recreate)
        {
            // the VM leaves service before the task that replaces it exists (the task id is the wait's: started once)
            s.Owners.Clear();
            s.Status = VmStatus.Deleting;
            await SaveAsync("UPDATED", withOwners: true);
            await GrainFactory.GetGrain<ITaskGrain>(pending.Id).StartAsync(new BrokerTaskRequest
            {
                Type = BrokerTaskType.VmGuestRecreation,
                EntityId = Id,
                PoolId = s.PoolId,
                Creator = "system",
            });
            results.Add("recreation started");
        }

        var freed = plan.FreeUser && s.Owners.Remove(pending.UserId);
        if (freed)
        {
            results.Add("freed from the user");
        }

        if (plan.Power is { } step)
        {
            // a controller that cannot be reached is an error: the reminder's next tick tries again
            var client = await controllers.ConnectAsync(s.ControllerId);
            var task = await client.PowerAsync(Id, step.Action, step.Force);
            var outcome = await client.WaitForTaskAsync(task, ecpOptions.CurrentValue.AttemptTimeout * 4);
            results.Add(outcome.Succeeded ? $"{step.Action}{(step.Force ? " (forced)" : "")} done" : $"{step.Action} failed: {outcome.Error ?? outcome.Status}");
        }

        s.HeldOff = DisconnectPolicy.HoldsPowerOff(plan, s.Owners);
        s.PendingDisconnect = null;
        await SaveAsync("UPDATED", withOwners: freed);
        await DropReminderAsync();
        var result = results.Count == 0 ? "nothing to do" : string.Join(", ", results);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
            $"Action upon user disconnect completed. Action: {plan.Action.ToWire()}. VM: {s.VerboseName}. Result: {result}.",
            $"User id: {pending.UserId}. Deadline: {pending.Deadline:O}. Fired: {firedAt:O}.", EntityType.Vm, Id));
    }

    private async Task DropReminderAsync()
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        if (await this.GetReminder(DisconnectReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>The controller's message, as the original relays it, to the owners' sessions that use this VM.</summary>
    private Task RelayToUsersAsync(DomainChange change)
    {
        if (state.State.Owners.Count == 0)
        {
            return Task.CompletedTask;
        }

        var json = System.Text.Json.JsonSerializer.Serialize(new
        {
            msg_type = "data",
            resource = "/domains/",
            @event = change.Event,
            id = Id,
            @object = new { id = Id, verbose_name = state.State.VerboseName, user_power_state = (int)state.State.PowerState },
        });
        return Task.WhenAll(state.State.Owners.Select(u => GrainFactory.GetGrain<Interfaces.ThinClients.IUserSessionsGrain>(u).RelayVmEventAsync(Id, json)));
    }

    public async Task FollowControllerAsync(ControllerStatus status)
    {
        if (!state.RecordExists || state.State.Status is VmStatus.Reserved or VmStatus.Deleting or VmStatus.Creating)
        {
            return;
        }

        var next = status switch
        {
            ControllerStatus.Active => VmStatus.Active,
            ControllerStatus.Failed or ControllerStatus.BadAuth => VmStatus.Failed,
            ControllerStatus.Service => VmStatus.Service,
            _ => state.State.Status,
        };
        if (next != state.State.Status)
        {
            state.State.Status = next;
            await SaveAsync("UPDATED");
        }
    }

    public async Task<VmView> SetStatusAsync(VmStatus status)
    {
        RequireExists();
        if (state.State.Status != status)
        {
            state.State.Status = status;
            await SaveAsync("UPDATED");
        }

        return state.State.ToView(Id);
    }

    public async Task<bool> TryTakeAsync(Guid userId)
    {
        if (!state.RecordExists || state.State.Status != VmStatus.Active || state.State.Owners.Count > 0)
        {
            return false;
        }

        state.State.Owners.Add(userId);
        await SaveAsync("UPDATED", withOwners: true);
        return true;
    }

    public async Task<VmView> AddOwnerAsync(Guid userId)
    {
        RequireExists();
        if (state.State.Owners.Add(userId))
        {
            await SaveAsync("UPDATED", withOwners: true);
        }

        return state.State.ToView(Id);
    }

    public async Task<VmView> RemoveOwnerAsync(Guid userId)
    {
        RequireExists();
        if (state.State.Owners.Remove(userId))
        {
            await SaveAsync("UPDATED", withOwners: true);
        }

        return state.State.ToView(Id);
    }

    public async Task<VmView> PowerAsync(string action, bool force)
    {
        RequireExists();
        if (action is not ("start" or "shutdown" or "reboot" or "suspend" or "resume"))
        {
            throw new ArgumentException($"action must be start, shutdown, reboot, suspend or resume, not '{action}'", nameof(action));
        }

        var controllerId = state.State.ControllerId;
        var client = await controllers.ConnectAsync(controllerId);
        try
        {
            var task = await client.PowerAsync(Id, action, force);
            var result = await client.WaitForTaskAsync(task, ecpOptions.CurrentValue.AttemptTimeout * 4);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"the controller could not {action} the VM: {result.Error ?? result.Status}");
            }

            var domain = await client.GetDomainAsync(Id);
            if (domain.TryGetProperty("user_power_state", out var p) && p.TryGetInt32(out var power) && (PowerState)power != state.State.PowerState)
            {
                state.State.PowerState = (PowerState)power;
                await SaveAsync("UPDATED");
            }
        }
        catch (EcpException e)
        {
            await controllers.ReportAsync(controllerId, e);
            throw new InvalidOperationException($"the controller could not {action} the VM: {e.Message}");
        }

        return state.State.ToView(Id);
    }

    public async Task<VmConnectionData> PrepareConnectionAsync(ConnectionType protocol)
    {
        RequireExists();
        await UserIsBackAsync();
        var options = thinClients.Value;
        try
        {
            return await WithControllerAsync(async client =>
            {
                var domain = await DomainAsync(client);
                if (PowerOf(domain) != PowerState.On)
                {
                    var start = await client.PowerAsync(Id, "start", force: false);
                    if (!(await client.WaitForTaskAsync(start, options.PowerOnTimeout)).Succeeded)
                    {
                        throw new VmConnectionException("004", "VM is unreachable on ECP VeiL.");
                    }

                    domain = await client.GetDomainAsync(Id);
                }

                if (protocol is ConnectionType.Spice or ConnectionType.SpiceDirect
                    && !(domain.TryGetProperty("remote_access", out var ra) && ra.ValueKind == System.Text.Json.JsonValueKind.True))
                {
                    await client.WaitForTaskAsync(await client.RemoteAccessAsync(Id, true), options.PowerOnTimeout);
                    domain = await client.GetDomainAsync(Id);
                }

                await ObservePowerAsync(PowerOf(domain));
                var controllerHost = client.Host;
                var name = domain.TryGetProperty("verbose_name", out var n) ? n.GetString() ?? state.State.VerboseName : state.State.VerboseName;
                return protocol switch
                {
                    ConnectionType.Spice => new VmConnectionData(controllerHost, IntOf(domain, "remote_access_port"), await SpiceTokenAsync(client),
                        StringOf(domain, "graphics_password"), name, controllerHost),
                    ConnectionType.SpiceDirect => new VmConnectionData(await NodeAddressAsync(client, domain), IntOf(domain, "real_remote_access_port"), null,
                        StringOf(domain, "graphics_password"), name, controllerHost),
                    ConnectionType.Rdp or ConnectionType.NativeRdp => new VmConnectionData(await GuestAddressAsync(client, options), 3389, null, null, name, controllerHost),
                    ConnectionType.Loudplay => new VmConnectionData(await GuestAddressAsync(client, options), 8554, null, null, name, controllerHost),
                    _ => throw new VmConnectionException("007", $"Unknown connection type {protocol}."),
                };
            });
        }
        catch (TimeoutException)
        {
            throw new VmConnectionException("005", "The controller didn`t provide a VM address. Try again in 1 minute.");
        }
    }

    public Task<VmDomainData> ReadDomainAsync()
    {
        RequireExists();
        return WithControllerAsync(async client =>
        {
            var domain = await DomainAsync(client);
            await ObservePowerAsync(PowerOf(domain));
            return new VmDomainData(domain.GetRawText(), client.Host, client.Host, IntOf(domain, "remote_access_port"));
        });
    }

    public async Task<string> UsbAsync(UsbRequest request)
    {
        RequireExists();
        if (request.Attach && (string.IsNullOrWhiteSpace(request.HostAddress) || request.HostPort is <= 0 or > 65535))
        {
            throw new ArgumentException("host_address and host_port (1-65535) are required to attach a USB device", nameof(request));
        }

        if (!request.Attach && !request.RemoveAll && string.IsNullOrWhiteSpace(request.UsbUuid))
        {
            throw new ArgumentException("usb_uuid is required unless remove_all is true", nameof(request));
        }

        return await WithControllerAsync(async client =>
        {
            var reply = request.Attach
                ? await client.AttachUsbAsync(Id, request.HostAddress!.Trim(), request.HostPort)
                : await client.DetachUsbAsync(Id, request.RemoveAll ? null : request.UsbUuid, request.RemoveAll);
            return reply.GetRawText();
        });
    }

    /// <summary>
    /// The VM's domain on its controller. A controller that answers 404 no longer has it: the VM becomes FAILED, as on
    /// a DELETED event (the original's rule), and the caller learns that only another VM will do.
    /// </summary>
    private async Task<System.Text.Json.JsonElement> DomainAsync(EcpClient client)
    {
        try
        {
            return await client.GetDomainAsync(Id);
        }
        catch (EcpException e) when (e.Kind == EcpErrorKind.NotFound)
        {
            if (MarkGone())
            {
                await SaveAsync("UPDATED");
                await journal.WriteAsync(new JournalEntry(JournalLevel.Warning,
                    $"VM {state.State.VerboseName} no longer exists on its controller: marked FAILED.", "", EntityType.Vm, Id));
            }

            throw new VmConnectionException("004", $"VM is unreachable on ECP VeiL: VM {state.State.VerboseName} no longer exists on its controller.", vmGone: true);
        }
    }

    /// <summary>The controller no longer has the VM: FAILED, power unknown. False when it was so already.</summary>
    private bool MarkGone()
    {
        var s = state.State;
        var changed = s.Status != VmStatus.Failed || s.PowerState != PowerState.Undefined;
        s.Status = VmStatus.Failed;
        s.PowerState = PowerState.Undefined;
        return changed;
    }

    /// <summary>A call to the VM's controller for a thin client: any failure is the original's 004 "VM is unreachable".</summary>
    private async Task<T> WithControllerAsync<T>(Func<EcpClient, Task<T>> call)
    {
        var controllerId = state.State.ControllerId;
        try
        {
            return await call(await controllers.ConnectAsync(controllerId));
        }
        catch (EcpException e)
        {
            await controllers.ReportAsync(controllerId, e);
            throw new VmConnectionException("004", "VM is unreachable on ECP VeiL.");
        }
        catch (ControllerException)
        {
            throw new VmConnectionException("004", "VM is unreachable on ECP VeiL.");
        }
    }

    private async Task<string> GuestAddressAsync(EcpClient client, ThinClientOptions options)
    {
        var deadline = time.GetUtcNow() + options.AddressTimeout;
        while (true)
        {
            var domain = await client.GetDomainAsync(Id);
            if (domain.TryGetProperty("guest_utils", out var g) && g.ValueKind == System.Text.Json.JsonValueKind.Object
                && g.TryGetProperty("ipv4", out var ips) && ips.ValueKind == System.Text.Json.JsonValueKind.Array && ips.GetArrayLength() > 0)
            {
                return ips[0].GetString()!;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException("no guest address");
            }

            await Task.Delay(options.AddressPollInterval, time);
        }
    }

    private async Task<string?> SpiceTokenAsync(EcpClient client)
    {
        var spice = await client.GetAsync($"domains/{Id}/spice/");
        var url = spice.TryGetProperty("spice_url", out var u) ? u.GetString() ?? "" : "";
        const string marker = "websockify?token=";
        var at = url.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : url[(at + marker.Length)..];
    }

    private static async Task<string> NodeAddressAsync(EcpClient client, System.Text.Json.JsonElement domain)
    {
        var node = domain.TryGetProperty("node", out var nd) && nd.ValueKind == System.Text.Json.JsonValueKind.Object && nd.TryGetProperty("id", out var nid)
            ? nid.GetString()
            : null;
        var info = await client.GetAsync($"nodes/{node}/");
        return StringOf(info, "management_ip") ?? throw new VmConnectionException("005", "The controller didn`t provide the node address.");
    }

    private async Task ObservePowerAsync(PowerState power)
    {
        if (power != state.State.PowerState)
        {
            state.State.PowerState = power;
            await SaveAsync("UPDATED");
        }
    }

    private static PowerState PowerOf(System.Text.Json.JsonElement domain) =>
        domain.TryGetProperty("user_power_state", out var p) && p.TryGetInt32(out var n) ? (PowerState)n : PowerState.Undefined;

    private static int IntOf(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.TryGetInt32(out var n) ? n : 0;

    private static string? StringOf(System.Text.Json.JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;

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
            throw new KeyNotFoundException($"the broker does not know VM {Id}");
        }
    }

    private async Task SaveAsync(string @event, bool withOwners = false)
    {
        state.State.Updated = time.GetUtcNow();
        await state.WriteStateAsync();
        await table.UpsertAsync(Id, state.State, withOwners);
        var view = state.State.ToView(Id);
        await live.PublishAsync(LiveStreams.Domains, @event, Id, new
        {
            view.Id,
            view.ControllerId,
            view.PoolId,
            view.VerboseName,
            status = view.Status.ToString().ToUpperInvariant(),
            user_power_state = (int)view.PowerState,
        });
    }
}
