using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;

namespace Vdi.Grains.ThinClients;

/// <summary>
/// One thin-client connection. The gateway that holds the socket registered an observer; messages for the client
/// go through it, whichever gateway that is. A timer closes the session after 35 s without data; if the grain's silo
/// died, the cluster's <see cref="SessionSweeperGrain"/> brings it back to do so. (Reminders of older versions are
/// still answered.)
/// </summary>
[GrainType("tk-session")]
public sealed class ThinClientSessionGrain(
    [PersistentState("tk-session", StorageNames.Main)] IPersistentState<SessionState> state,
    SessionTable table,
    JournalWriter journal,
    LiveEventPublisher live,
    IOptions<ThinClientOptions> options,
    Vdi.Grains.Interfaces.Settings.SettingsCache settings,
    SessionSweeperStart sweeper,
    TimeProvider time) : Grain, IThinClientSessionGrain, IRemindable
{
    public const string Resource = "/thin_clients/";
    private IThinClientObserver? _client;
    private IGrainTimer? _deadlineTimer;
    private DateTimeOffset _lastWrite;

    private Guid Id => this.GetPrimaryKey();

    private bool Open => state.RecordExists && state.State.Disconnected is null;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Open)
        {
            StartDeadlineTimer();
        }

        return Task.CompletedTask;
    }

    public async Task OpenAsync(SessionInfo info, IThinClientObserver client)
    {
        var now = time.GetUtcNow();
        _client = client;
        state.State.Info = info;
        state.State.Connected = now;
        state.State.DataReceived = now;
        await state.WriteStateAsync();
        _lastWrite = now;
        await table.OpenAsync(Id, info, now);
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
        if (!Open)
        {
            return;
        }

        var now = time.GetUtcNow();
        state.State.DataReceived = now;
        if (interaction)
        {
            state.State.LastInteraction = now;
        }

        // persist at most every few seconds: the deadline is kept in memory, the record is for the admin view
        if (interaction || now - _lastWrite > TimeSpan.FromSeconds(10))
        {
            _lastWrite = now;
            await state.WriteStateAsync();
            await table.TouchAsync(Id, now, interaction ? now : null);
        }
    }

    public async Task OnClientEventAsync(ClientEvent e)
    {
        if (!Open)
        {
            return;
        }

        var now = time.GetUtcNow();
        state.State.DataReceived = now;
        if (e.Event is not "network_stats")
        {
            state.State.LastInteraction = now; // what the user did, not what the client measures
        }

        var user = state.State.Info!.Username;
        switch (e.Event)
        {
            case "vm_connected" when e.VmId is { } vm:
                state.State.LastVmId = vm;
                state.State.VmConnected = true;
                await table.VmConnectedAsync(Id, e, successful: true, now);
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {user} connected to VM.", $"Protocol: {e.ConnectionType}.", EntityType.Vm, vm, user));
                await GrainFactory.GetGrain<IVmGrain>(vm).UserConnectedAsync(state.State.Info.UserId);
                break;
            case "vm_disconnected" when e.VmId is { } vm:
                state.State.VmConnected = false;
                await table.VmDisconnectedAsync(Id, vm, now);
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {user} disconnected from VM.", "", EntityType.Vm, vm, user));
                await GrainFactory.GetGrain<IVmGrain>(vm).UserLeftAsync(state.State.Info.UserId);
                break;
            case "vm_connection_error" when e.VmId is { } vm:
                await table.VmConnectedAsync(Id, e, successful: false, now);
                await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"User {user} could not connect to VM.", e.ErrorText ?? "", EntityType.Vm, vm, user));
                break;
            case "network_stats" when e.VmId is not null:
                await table.NetworkStatsAsync(Id, e);
                break;
            case "user_gui":
                await table.TouchAsync(Id, now, now);
                break;
            default:
                throw new ArgumentException($"event: unknown event '{e.Event}' or vm_id missing", nameof(e));
        }

        await state.WriteStateAsync();
        _lastWrite = now;
        await PublishAsync(e.Event, e.VmId);
    }

    public Task SendAsync(string json) => Open && _client is not null ? _client.SendAsync(json) : Task.CompletedTask;

    public Task RelayVmEventAsync(Guid vmId, string json) =>
        Open && _client is not null && state.State.VmConnected && state.State.LastVmId == vmId ? _client.SendAsync(json) : Task.CompletedTask;

    public async Task DisconnectAsync()
    {
        if (_client is not null)
        {
            await _client.CloseAsync(2000, """{"msg_type":"control","error":false,"msg":"Disconnect requested","cmd":"DISCONNECT"}""");
        }

        await CloseAsync("disconnected by an administrator");
    }

    public async Task CloseAsync(string reason)
    {
        if (!Open)
        {
            return;
        }

        var now = time.GetUtcNow();
        state.State.Disconnected = now;
        var leftVm = state.State.VmConnected ? state.State.LastVmId : null;
        state.State.VmConnected = false;
        await state.WriteStateAsync();
        if (leftVm is { } vm)
        {
            // a closed or dead session ends the use of the VM it was connected to (the original forgot this case)
            await GrainFactory.GetGrain<IVmGrain>(vm).UserLeftAsync(state.State.Info!.UserId);
        }

        await table.CloseAsync(Id, now);
        await GrainFactory.GetGrain<IUserSessionsGrain>(state.State.Info!.UserId).RemoveAsync(Id);
        await PublishAsync("connection_closed", state.State.LastVmId);
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        _client = null;
        DeactivateOnIdle();
    }

    public Task<bool> IsOpenAsync() => Task.FromResult(Open);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Open)
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
        if (!Open)
        {
            return;
        }

        var current = await settings.GetAsync();
        var afk = TimeSpan.FromSeconds(current.AfkTimeoutSeconds);
        switch (SessionDeadline.Check(state.State, time.GetUtcNow(), options.Value.DeadSessionTimeout,
                    current.DisconnectInactiveConnections ? afk : null))
        {
            case SessionVerdict.Dead:
                await CloseAsync("no data from the client (dead session)");
                break;
            case SessionVerdict.Away:
                await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
                    $"User {state.State.Info!.Username} was disconnected: inactive for {afk.TotalSeconds:0} s.",
                    "", EntityType.User, state.State.Info.UserId, "system"));
                await DisconnectAsync();
                break;
        }
    }

    /// <summary>The original's /thin_clients/ events with tk_conn_event: they drive the actions after a disconnect.</summary>
    private Task PublishAsync(string tkConnEvent, Guid? vmId) => live.PublishAsync(Resource, "UPDATED", Id, new
    {
        conn_id = Id,
        user_id = state.State.Info?.UserId,
        user_name = state.State.Info?.Username,
        tk_conn_event = tkConnEvent,
        vm_id = vmId,
        connected = state.State.Connected,
        disconnected = state.State.Disconnected,
    });
}
