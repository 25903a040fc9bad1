using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;
using Vdi.Grains.Vms;
using Vdi.Shared.Settings;

namespace Vdi.Grains.ThinClients;

/// <summary>
/// One thin-client connection. The gateway that holds the socket registered an observer; messages for the client
/// go through it, whichever gateway that is. A timer closes the session after 35 s without data; if the grain's silo
/// died, the cluster's <see cref="SessionSweeperGrain"/> brings it back to do so. (Reminders of older versions are
/// still answered.) The session's rows in <c>vdi_tk_sessions</c> and <c>vdi_tk_vm_connections</c> are its only
/// record: opening a session is one insert, each event one statement, and an activation after a silo's death reads
/// the rows back (decision 0013).
/// </summary>
[GrainType("tk-session")]
public sealed partial class ThinClientSessionGrain(
    SessionTable table,
    JournalWriter journal,
    LiveEventPublisher live,
    IOptions<ThinClientOptions> options,
    SettingsCache settings,
    SessionSweeperStart sweeper,
    Hosting.BrokerMetrics metrics,
    TimeProvider time,
    ILogger<ThinClientSessionGrain> logger) : Grain, IThinClientSessionGrain, IRemindable
{
    private IThinClientObserver? _client;
    private IGrainTimer? _deadlineTimer;
    private DateTimeOffset _lastWrite;
    private SessionState? _state; // null until opened here or read back from the rows
    private bool _loaded;
    private readonly HashSet<Guid> _notOwned = []; // VMs whose statistics this session already found are not its user's

    private Guid Id => this.GetPrimaryKey();

    private bool Open => _state is { Disconnected: null };

    /// <summary>The session's rows, read once per activation (a new session is opened without reading anything).</summary>
    private async Task<bool> LoadAsync()
    {
        if (!_loaded)
        {
            _state = await table.LoadAsync(Id);
            _loaded = true;
            _lastWrite = _state?.DataReceived ?? default;
            if (Open)
            {
                StartDeadlineTimer();
            }
        }

        return Open;
    }

    public async Task OpenAsync(SessionInfo info, IThinClientObserver client)
    {
        var now = time.GetUtcNow();
        _client = client;
        await table.OpenAsync(Id, info, now);
        _state = new SessionState { Info = info, Connected = now, DataReceived = now, LastInteraction = info.InitiatedByUser ? now : null };
        _loaded = true;
        _lastWrite = now;
        await GrainFactory.GetGrain<IUserSessionsGrain>(info.UserId).AddAsync(Id);
        if (!sweeper.Ensured)
        {
            await GrainFactory.GetGrain<ISessionSweeperGrain>(0).EnsureRunningAsync();
            sweeper.Ensured = true;
        }

        StartDeadlineTimer();
        await PublishAsync("connected", null);
    }

    public async Task TouchAsync(bool interaction)
    {
        if (!await LoadAsync())
        {
            return;
        }

        var now = time.GetUtcNow();
        _state!.DataReceived = now;
        if (interaction)
        {
            _state.LastInteraction = now;
        }

        // persist at most every few seconds: the deadline is kept in memory, the record is for the admin view and
        // for the sweeper (which allows for this lag)
        if (interaction || now - _lastWrite > TimeSpan.FromSeconds(10))
        {
            _lastWrite = now;
            await table.TouchAsync(Id, now, interaction ? now : null);
        }
    }

    public async Task<bool> HeartbeatAsync(IThinClientObserver client)
    {
        if (!await LoadAsync())
        {
            return false;
        }

        _client ??= client; // an activation after its silo's death: the way to the socket is back
        await TouchAsync(false);
        return true;
    }

    public async Task<bool> IsInVmAsync(Guid vmId) => await LoadAsync() && _state!.VmConnected && _state.LastVmId == vmId;

    public async Task OnClientEventAsync(ClientEvent e)
    {
        if (!await LoadAsync())
        {
            return;
        }

        if (!e.IsComplete)
        {
            throw BrokerException.Invalid("event", $"event: unknown event or vm_id missing ({e.Name})");
        }

        var s = _state!;
        var now = time.GetUtcNow();
        var vmEvent = e.Type is ClientEventType.VmConnected or ClientEventType.VmDisconnected or ClientEventType.VmConnectionError or ClientEventType.NetworkStats;
        if (vmEvent && !(s.LastVmId == e.VmId && s.VmConnected) && !await OwnsAsync(e.VmId.GetValueOrDefault(), s.Info!.UserId))
        {
            // a client speaks only for itself: an event about another user's VM changes nothing and is journalled nowhere
            s.DataReceived = now;
            throw BrokerException.Forbidden($"vm_id: VM {e.VmId} is not assigned to you; the event was ignored", "vm_id");
        }

        s.DataReceived = now;
        if (e.Type is not ClientEventType.NetworkStats)
        {
            s.LastInteraction = now; // what the user did, not what the client measures
        }

        var user = s.Info!.Username;
        var vm = e.VmId.GetValueOrDefault();
        switch (e.Type)
        {
            case ClientEventType.VmConnected:
                await table.VmConnectedAsync(Id, e, successful: true, now);
                metrics.VmConnection(e.ConnectionType, successful: true);
                s.LastVmId = vm;
                s.VmConnected = true;
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {user} connected to VM {await VmNameAsync(vm)}.", $"Protocol: {e.ConnectionType}.", EntityType.Vm, vm, user));
                await GrainFactory.GetGrain<IVmInternalGrain>(vm).UserConnectedAsync(s.Info.UserId);
                break;
            case ClientEventType.VmDisconnected:
                await table.VmDisconnectedAsync(Id, vm, now);
                s.VmConnected = false;
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {user} disconnected from VM {await VmNameAsync(vm)}.", "", EntityType.Vm, vm, user));
                await GrainFactory.GetGrain<IVmInternalGrain>(vm).UserLeftAsync(s.Info.UserId);
                break;
            case ClientEventType.VmConnectionError:
                await table.VmConnectedAsync(Id, e, successful: false, now);
                metrics.VmConnection(e.ConnectionType, successful: false);
                await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"User {user} could not connect to VM {await VmNameAsync(vm)}.", e.ErrorText ?? "", EntityType.Vm, vm, user));
                break;
            case ClientEventType.NetworkStats:
                if (!(s.VmConnected && s.LastVmId == vm))
                {
                    // statistics about a VM of the user's: the client is in it, whether or not its vm_connected arrived
                    // (VeiL Connect's auto-connect can reach the desktop before its socket is open)
                    await table.VmConnectedAsync(Id, e with { Type = ClientEventType.VmConnected }, successful: true, now);
                    s.LastVmId = vm;
                    s.VmConnected = true;
                    await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {user} connected to VM {await VmNameAsync(vm)}.",
                        "Reported by the client's network statistics (no vm_connected).", EntityType.Vm, vm, user));
                    await GrainFactory.GetGrain<IVmInternalGrain>(vm).UserConnectedAsync(s.Info.UserId);
                }

                await table.NetworkStatsAsync(Id, e, now);
                break;
            case ClientEventType.UserGui:
                await table.TouchAsync(Id, now, now);
                break;
        }

        _lastWrite = now;
        await PublishAsync(e.Name, e.VmId);
    }

    /// <summary>
    /// Whether the user owns the VM; a VM found not to be theirs is remembered (a few), so a client that keeps sending
    /// statistics about it costs no grain call every 5 s.
    /// </summary>
    private readonly Dictionary<Guid, string> _vmNames = [];

    /// <summary>The VM's name for the journal ("User X connected to VM Y", as the original writes), read once per activation.</summary>
    private async Task<string> VmNameAsync(Guid vmId)
    {
        if (!_vmNames.TryGetValue(vmId, out var name))
        {
            name = (await GrainFactory.GetGrain<IVmGrain>(vmId).GetAsync())?.VerboseName ?? vmId.ToString();
            _vmNames[vmId] = name;
        }

        return name;
    }

    private async Task<bool> OwnsAsync(Guid vmId, Guid userId)
    {
        if (_notOwned.Contains(vmId))
        {
            return false;
        }

        if (await GrainFactory.GetGrain<IVmGrain>(vmId).GetAsync() is { } vm && vm.Owners.Contains(userId))
        {
            return true;
        }

        if (_notOwned.Count < 16)
        {
            _notOwned.Add(vmId);
        }

        return false;
    }

    public async Task SendAsync(string json)
    {
        if (_client is not null && await LoadAsync())
        {
            await PushAsync(c => c.SendAsync(json));
        }
    }

    public async Task RelayVmEventAsync(Guid vmId, string json)
    {
        if (_client is not null && await LoadAsync() && _state!.VmConnected && _state.LastVmId == vmId)
        {
            await PushAsync(c => c.SendAsync(json));
        }
    }

    public Task DisconnectAsync() => DisconnectAsync(SessionCloseReason.Administrator);

    /// <summary>The original's DISCONNECT: control frame, close 2000, then the session ends with the reason given.</summary>
    private async Task DisconnectAsync(SessionCloseReason reason)
    {
        await PushAsync(c => c.CloseAsync(2000, """{"msg_type":"control","error":false,"msg":"Disconnect requested","cmd":"DISCONNECT"}"""));
        await CloseAsync(reason);
    }

    public async Task CloseAsync(SessionCloseReason reason)
    {
        if (!await LoadAsync())
        {
            return;
        }

        var s = _state!;
        _client = null; // nothing more goes to a closing socket
        var now = time.GetUtcNow();
        var leftVm = s.VmConnected ? s.LastVmId : null;
        await table.CloseAsync(Id, now, reason);
        s.Disconnected = now;
        s.VmConnected = false;
        if (leftVm is { } vm)
        {
            // a closed or dead session ends the use of the VM it was connected to (the original forgot this case), but
            // the socket going away is no evidence that the user left the desktop: the VM waits a grace window in which
            // the client may come back (VeiL Connect reconnects every 5 s) before the pool's timeout starts
            await GrainFactory.GetGrain<IVmInternalGrain>(vm).UserLostAsync(s.Info!.UserId, options.Value.EffectiveDisconnectGrace);
        }

        await GrainFactory.GetGrain<IUserSessionsGrain>(s.Info!.UserId).RemoveAsync(Id);
        await PublishAsync("connection_closed", s.LastVmId);
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        DeactivateOnIdle();
    }

    public Task<bool> IsOpenAsync() => LoadAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!await LoadAsync())
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        await CheckDeadlineAsync();
    }

    private void StartDeadlineTimer() => _deadlineTimer ??= this.RegisterGrainTimer(_ => CheckDeadlineAsync(), new GrainTimerCreationOptions
    {
        DueTime = options.Value.DeadSessionCheckInterval,
        Period = options.Value.DeadSessionCheckInterval,
        KeepAlive = true,
    });

    public async Task CheckDeadlineAsync()
    {
        if (!await LoadAsync())
        {
            return;
        }

        var current = await settings.GetAsync();
        var afk = TimeSpan.FromSeconds(current.AfkTimeoutSeconds);
        switch (SessionDeadline.Check(_state!, time.GetUtcNow(), options.Value.DeadSessionTimeout,
                    current.DisconnectInactiveConnections ? afk : null))
        {
            case SessionVerdict.Dead:
                await CloseAsync(SessionCloseReason.DeadSession);
                break;
            case SessionVerdict.Away:
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
                    $"User {_state!.Info!.Username} was disconnected: inactive for {afk.TotalSeconds:0} s.",
                    "", EntityType.User, _state.Info.UserId, "system"));
                await DisconnectAsync(SessionCloseReason.Afk);
                break;
        }
    }

    /// <summary>The original's /thin_clients/ events with tk_conn_event: they drive the actions after a disconnect.</summary>
    private Task PublishAsync(string tkConnEvent, Guid? vmId) => live.PublishAsync(LiveStreams.ThinClients, "UPDATED", Id, new
    {
        conn_id = Id,
        user_id = _state?.Info?.UserId,
        user_name = _state?.Info?.Username,
        tk_conn_event = tkConnEvent,
        vm_id = vmId,
        connected = _state?.Connected,
        disconnected = _state?.Disconnected,
    });

    /// <summary>
    /// A push to the gateway that holds the socket. A socket that closed or a gateway that died a moment ago is not the
    /// sender's error: the frame is dropped (the socket's close or the sweeper ends the session).
    /// </summary>
    private async Task PushAsync(Func<IThinClientObserver, Task> push)
    {
        if (_client is not { } client)
        {
            return;
        }

        try
        {
            await push(client);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogPushFailed(logger, Id, e.GetType().Name);
        }
    }

    [LoggerMessage(EventId = LogEvents.SessionPushFailed, Level = LogLevel.Debug, Message = "Thin-client session {Session}: a push to its socket failed ({Error}); dropped")]
    private static partial void LogPushFailed(ILogger logger, Guid session, string error);
}
