using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;
using Vdi.Grains.Pools;
using Vdi.Grains.Security;

namespace Vdi.Grains.Controllers;

/// <summary>
/// One ECP VeiL controller. Being a grain, it has exactly one activation in the cluster, and that activation holds
/// the controller's only event-stream listener. A durable reminder brings it back on another silo if its silo dies;
/// a timer checks its health (every 15 s by default) and brings a FAILED controller back to ACTIVE.
/// </summary>
[GrainType("controller")]
public sealed partial class ControllerGrain(
    [PersistentState("controller", StorageNames.Main)] IPersistentState<ControllerState> state,
    EcpClientFactory clients,
    SecretProtector secrets,
    ControllerTable table,
    PoolTable pools,
    ControllerCascade cascade,
    KeepOnReconciler keepOn,
    JournalWriter journal,
    LiveEventPublisher live,
    IOptions<ControllerMonitorOptions> monitorOptions,
    ILocalSiloDetails silo,
    ReminderPeriods reminderPeriods,
    TimeProvider time,
    ILogger<ControllerGrain> logger) : Grain, IControllerGrain, IControllerInternalGrain, IRemindable
{
    private const string KeepAliveReminder = "controller-keepalive";

    private readonly ResourceCache _resources = new(time);
    private ControllerWatch? _watch;
    private EcpClient? _client;

    private ControllerMonitorOptions Monitor => monitorOptions.Value;

    private ControllerWatch Watch => _watch ??= new ControllerWatch(this, GrainFactory, Monitor, time, logger);

    private ControllerConfigurator Configurator => new(clients, secrets, table, time, Monitor.MinimumVersion);

    private Guid Id => this.GetPrimaryKey();

    private bool Exists => state.RecordExists && state.State.Status != ControllerStatus.Deleting;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Exists)
        {
            await StartWatchingAsync();
        }
        else if (state.RecordExists && state.State.Status == ControllerStatus.Deleting)
        {
            WaitForPoolsGone("system"); // a cascade a silo restart interrupted
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await Watch.StopListenerAsync();

    public async Task<ControllerView> AddAsync(ControllerRegistration registration)
    {
        if (state.RecordExists)
        {
            throw BrokerException.Conflict($"controller {Id} already exists");
        }

        var version = await Configurator.RegisterAsync(Id, state, registration);
        var s = state.State;
        LogAdded(s.VerboseName, s.Address, version);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Controller {s.VerboseName} added.",
            $"Address: {s.Address}. ECP version: {version}.", EntityType.Controller, Id, registration.User));
        await PublishAsync("CREATED");
        var keepAlive = reminderPeriods.AtLeastMinimum(Monitor.KeepAlivePeriod);
        await this.RegisterOrUpdateReminder(KeepAliveReminder, keepAlive, keepAlive);
        await StartWatchingAsync();
        return s.ToView(Id);
    }

    public Task<ControllerView?> GetAsync() => Task.FromResult(Exists ? state.State.ToView(Id) : null);

    public async Task<ControllerView> UpdateAsync(ControllerChanges changes)
    {
        RequireExists();
        var s = state.State;
        var reconnect = await Configurator.ChangeAsync(Id, state, changes, CurrentToken);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Controller {s.VerboseName} updated.",
            reconnect ? "Address, token or TLS trust changed; connection re-checked." : "", EntityType.Controller, Id, changes.User));
        if (reconnect)
        {
            _client = null;
            _resources.Clear();
            await StopListenerAsync();
            if (s.Status is ControllerStatus.Failed or ControllerStatus.BadAuth)
            {
                await SetStatusAsync(ControllerStatus.Active, null, changes.User);
            }
            else
            {
                await StartWatchingAsync();
            }
        }

        await PublishAsync("UPDATED");
        return s.ToView(Id);
    }

    public async Task<ControllerView> TestAsync(string user)
    {
        RequireExists();
        if (state.State.Status == ControllerStatus.Service)
        {
            await CheckVersionAsync(Client()); // reports the problem without leaving service mode
            return state.State.ToView(Id);
        }

        await CheckHealthAsync(user);
        return state.State.ToView(Id);
    }

    public async Task<ControllerView> EnterServiceAsync(string user)
    {
        RequireExists();
        await SetStatusAsync(ControllerStatus.Service, "service mode", user);
        return state.State.ToView(Id);
    }

    public async Task<ControllerView> ActivateAsync(string user)
    {
        RequireExists();
        try
        {
            var version = await CheckVersionAsync(Client());
            state.State.Version = version;
        }
        catch (BrokerException e) when (e.Kind is ErrorKind.TokenRejected or ErrorKind.ControllerUnreachable)
        {
            await SetStatusAsync(e.Kind == ErrorKind.TokenRejected ? ControllerStatus.BadAuth : ControllerStatus.Failed, e.Message, user);
            throw;
        }

        await SetStatusAsync(ControllerStatus.Active, null, user);
        return state.State.ToView(Id);
    }

    public async Task RemoveAsync(string user)
    {
        RequireExists();
        var poolsLeft = await pools.ListIdsByControllerAsync(Id);
        if (poolsLeft.Count > 0)
        {
            // deleting a pool needs its controller (its VMs are deleted there), so pools go first, or force cascades
            throw BrokerException.WrongStatus($"the controller still has {poolsLeft.Count} pool(s); remove them first, or remove the controller with force to remove them with it");
        }

        state.State.Status = ControllerStatus.Deleting;
        await state.WriteOrForgetAsync(this);
        await Watch.StopAsync();
        await FinishRemovalAsync(user);
    }

    public async Task<IReadOnlyList<TaskView>> RemoveWithPoolsAsync(string user)
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"no controller has the id {Id}");
        }

        var poolIds = await pools.ListIdsByControllerAsync(Id);
        if (state.State.Status != ControllerStatus.Deleting)
        {
            state.State.Status = ControllerStatus.Deleting;
            state.State.StatusReason = "removed with its pools";
            state.State.Updated = time.GetUtcNow();
            await state.WriteOrForgetAsync(this);
            await table.UpsertAsync(Id, state.State);
            await Watch.StopAsync();
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Controller {state.State.VerboseName} is being removed with its {poolIds.Count} pool(s).",
                "Their VMs are left on the controller.", EntityType.Controller, Id, user));
            await PublishAsync("UPDATED");
        }

        var started = new List<TaskView>();
        foreach (var poolId in poolIds)
        {
            started.Add(await GrainFactory.GetGrain<IPoolGrain>(poolId).RemoveAsync(deleteVms: false, user));
        }

        WaitForPoolsGone(user);
        return started;
    }

    private IGrainTimer? _cascade;

    private void WaitForPoolsGone(string user)
    {
        _cascade?.Dispose();
        _cascade = this.RegisterGrainTimer(async _ =>
        {
            if ((await pools.ListIdsByControllerAsync(Id)).Count == 0 && state.RecordExists)
            {
                _cascade?.Dispose();
                await FinishRemovalAsync(user);
            }
        }, new GrainTimerCreationOptions { DueTime = TimeSpan.Zero, Period = TimeSpan.FromSeconds(5), KeepAlive = true });
    }

    private async Task FinishRemovalAsync(string user)
    {
        var name = state.State.VerboseName;
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await state.ClearStateAsync();
        await table.DeleteAsync(Id);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Controller {name} removed.", "", EntityType.Controller, Id, user));
        await live.PublishAsync(LiveStreams.Controllers, "DELETED", Id, new { id = Id, verbose_name = name });
        DeactivateOnIdle();
    }

    public async Task<ControllerEventPage> ListEventsAsync(int limit, int offset, int? eventType)
    {
        RequireExists();
        var query = new Dictionary<string, string?>
        {
            ["limit"] = Math.Clamp(limit, 1, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["offset"] = Math.Max(0, offset).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ordering"] = "-created",
            ["event_type"] = eventType?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var page = await CallAsync(c => c.ListAsync("events/", query));
        static string Text(System.Text.Json.JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString()! : "";
        var events = page.Results.Select(e => new ControllerEvent(
            e.TryGetProperty("id", out var id) ? id.ToString() : "",
            e.TryGetProperty("event_type", out var t) && t.TryGetInt32(out var type) ? type : 0,
            Text(e, "message"), Text(e, "description"), Text(e, "user"),
            DateTimeOffset.TryParse(Text(e, "created"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null)).ToList();
        return new ControllerEventPage(page.Count, events);
    }

    public async Task<IReadOnlyList<ControllerResource>> ListResourcesAsync(ResourceKind kind)
    {
        RequireExists();
        // the administrator's run-time setting (the original's Caching page), else the silo's configuration
        var ttl = (await GrainFactory.GetGrain<Interfaces.Settings.ISettingsGrain>(0).GetAsync()).ResourceCacheSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : Monitor.ResourceCacheTtl;
        if (_resources.TryGet(kind, ttl, out var cached))
        {
            return cached;
        }

        var items = await CallAsync(c => c.ListResourcesAsync(kind));
        _resources.Put(kind, items);
        return items;
    }

    public async Task<ControllerResource?> GetResourceAsync(ResourceKind kind, Guid id)
    {
        RequireExists();
        return await CallAsync(c => c.GetResourceAsync(kind, id));
    }

    public async Task OnResourceEventAsync(string resource, string @event, ControllerResource item)
    {
        if (!Exists)
        {
            return;
        }

        // only that kind's list is read again: a node's load changes at every power change, the VM lists need not go
        _resources.Clear(resource switch
        {
            LiveStreams.Clusters => ResourceKind.Clusters,
            LiveStreams.DataPools => ResourceKind.DataPools,
            _ => ResourceKind.Nodes,
        });
        await live.PublishAsync(resource, @event, item.Id, new
        {
            id = item.Id,
            controller = Id,
            verbose_name = item.VerboseName,
            status = item.Status,
            details = item.Details,
        });
    }

    public Task ClearResourceCacheAsync()
    {
        _resources.Clear();
        return Task.CompletedTask;
    }

    public Task<ListenerState> GetListenerStateAsync() => Task.FromResult(Watch.State(silo.SiloAddress.ToString()));

    public Task<ControllerConnection?> GetConnectionAsync() => Task.FromResult(Exists
        ? new ControllerConnection(state.State.Address, state.State.ProtectedToken, state.State.Status, state.State.Tls)
        : null);

    public Task EnsureRunningAsync() => Exists ? StartWatchingAsync() : Task.CompletedTask;

    public async Task OnStreamLostAsync(string reason)
    {
        if (Exists && state.State.Status == ControllerStatus.Active)
        {
            await CheckHealthAsync("system");
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Exists)
        {
            if (await this.GetReminder(reminderName) is { } stale)
            {
                await this.UnregisterReminder(stale);
            }

            return;
        }

        await StartWatchingAsync();
    }

    /// <summary>Starts the health timer, and the listener while ACTIVE.</summary>
    private async Task StartWatchingAsync()
    {
        Watch.StartTimers(OnHealthTimerAsync, KeepVmsOnAsync);
        if (state.State.Status == ControllerStatus.Active)
        {
            StartListener();
        }
        else
        {
            await StopListenerAsync();
        }
    }

    /// <summary>Runs interleaved (see <see cref="ControllerWatch"/>): the probe holds nothing; its outcome is applied in turn.</summary>
    private async Task OnHealthTimerAsync()
    {
        if (Exists && state.State.Status is ControllerStatus.Active or ControllerStatus.Failed)
        {
            var probe = await ProbeAsync(Client());
            await this.AsReference<IControllerInternalGrain>().ApplyHealthAsync(probe);
        }
    }

    Task IControllerInternalGrain.ApplyHealthAsync(HealthProbe probe) =>
        Exists && state.State.Status is ControllerStatus.Active or ControllerStatus.Failed ? ApplyAsync(probe, "system") : Task.CompletedTask;

    private static async Task<HealthProbe> ProbeAsync(EcpClient client)
    {
        try
        {
            await client.CheckAsync();
            return new HealthProbe(true, false, null);
        }
        catch (EcpException e)
        {
            return new HealthProbe(false, e.Kind == EcpErrorKind.Unauthorized, e.Message);
        }
    }

    /// <summary>The original's rules: 401/403 → BAD_AUTH, no answer or 5xx → FAILED, an answer → ACTIVE.</summary>
    private async Task CheckHealthAsync(string user) => await ApplyAsync(await ProbeAsync(Client()), user);

    private async Task ApplyAsync(HealthProbe probe, string user)
    {
        if (!probe.Answered)
        {
            await SetStatusAsync(probe.Unauthorized ? ControllerStatus.BadAuth : ControllerStatus.Failed, probe.Error, user);
            return;
        }

        if (state.State.Status is ControllerStatus.Failed or ControllerStatus.BadAuth or ControllerStatus.Creating)
        {
            await SetStatusAsync(ControllerStatus.Active, null, user);
        }
        else if (state.State.Status == ControllerStatus.Active)
        {
            StartListener();
        }
    }

    private async Task SetStatusAsync(ControllerStatus next, string? reason, string user)
    {
        var s = state.State;
        if (s.Status == next && s.StatusReason == reason)
        {
            return;
        }

        var previous = s.Status;
        s.Status = next;
        s.StatusReason = reason;
        s.Updated = time.GetUtcNow();
        await state.WriteOrForgetAsync(this);
        await table.UpsertAsync(Id, s);
        if (previous == next)
        {
            return; // only the reason changed
        }

        LogStatus(s.VerboseName, previous.ToWire(), next.ToWire(), reason ?? "");
        var level = next is ControllerStatus.Failed or ControllerStatus.BadAuth ? JournalLevel.Warning : JournalLevel.Info;
        await journal.WriteAsync(new JournalEntry(level, $"Controller {s.VerboseName} is {next.ToWire()}.",
            reason ?? $"Previous status: {previous.ToWire()}.", EntityType.Controller, Id, user));
        await PublishAsync("UPDATED");
        if (next == ControllerStatus.Active)
        {
            StartListener();
        }
        else
        {
            await StopListenerAsync();
        }

        await cascade.FollowAsync(Id, next);
    }

    private void StartListener() => Watch.StartListener(CurrentAddress(), CurrentToken(), CurrentTrust());

    private Task StopListenerAsync() => Watch.StopListenerAsync();

    private async Task<T> CallAsync<T>(Func<EcpClient, Task<T>> call)
    {
        try
        {
            return await call(Client());
        }
        catch (EcpException e) when (e.Kind == EcpErrorKind.Unauthorized || e.MeansControllerDown)
        {
            await SetStatusAsync(e.Kind == EcpErrorKind.Unauthorized ? ControllerStatus.BadAuth : ControllerStatus.Failed, e.Message, "system");
            throw ControllerRules.CallFailure(e);
        }
    }

    private Task<string> CheckVersionAsync(EcpClient client) => Configurator.CheckVersionAsync(client);

    private EcpClient Client() => _client ??= clients.Create(CurrentAddress(), CurrentToken(), CurrentTrust());

    private ControllerTrust CurrentTrust() => clients.Trust.Resolve(state.State.Tls);

    private ControllerAddress CurrentAddress() =>
        ControllerRules.Address(state.State.Address);

    private string CurrentToken() => secrets.UnprotectControllerToken(state.State.ProtectedToken)
        ?? throw new BrokerException(ErrorKind.TokenRejected, "token: the stored token cannot be decrypted (Data Protection keys lost); enter it again", "token");

    private Task PublishAsync(string @event)
    {
        var v = state.State.ToView(Id);
        return live.PublishAsync(LiveStreams.Controllers, @event, Id, new
        {
            v.Id,
            v.VerboseName,
            v.Address,
            v.Description,
            status = v.Status.ToWire(),
            v.Version,
            v.StatusReason,
        });
    }

    private void RequireExists()
    {
        if (!Exists)
        {
            throw BrokerException.NotFound($"no controller has the id {Id}");
        }
    }

    /// <summary>Keep-on's safety net, every minute while ACTIVE (<see cref="KeepOnReconciler"/>).</summary>
    public Task<int> KeepVmsOnAsync() => Exists && state.State.Status == ControllerStatus.Active ? keepOn.RunAsync(Id, Client()) : Task.FromResult(0);

    [LoggerMessage(EventId = LogEvents.ControllerAdded, Level = LogLevel.Information, Message = "Controller {Name} added at {Address} (ECP {Version})")]
    private partial void LogAdded(string name, string address, string version);

    [LoggerMessage(EventId = LogEvents.ControllerStatusChanged, Level = LogLevel.Warning, Message = "Controller {Name}: {From} -> {To} {Reason}")]
    private partial void LogStatus(string name, string from, string to, string reason);
}
