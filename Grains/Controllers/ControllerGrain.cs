using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Controllers.Events;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Journal;
using Vdi.Grains.Pools;
using Vdi.Grains.Tasks;
using Vdi.Grains.Live;
using Vdi.Grains.Security;
using Vdi.Grains.Vms;

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
    VmTable vms,
    PoolTable pools,
    TaskTable tasks,
    JournalWriter journal,
    LiveEventPublisher live,
    IOptions<ControllerMonitorOptions> monitorOptions,
    ILocalSiloDetails silo,
    Hosting.ReminderPeriods reminderPeriods,
    TimeProvider time,
    ILogger<ControllerGrain> logger) : Grain, IControllerGrain, IRemindable
{
    private const string KeepAliveReminder = "controller-keepalive";
    private const int NameLimit = 128;
    private const int DescriptionLimit = 256;
    private const int TokenLimit = 2048;
    private const int CascadeBatch = 64;

    private readonly Dictionary<ResourceKind, (DateTimeOffset At, IReadOnlyList<ControllerResource> Items)> _resourceCache = [];
    private ControllerEventListener? _listener;
    private IGrainTimer? _healthTimer;
    private IGrainTimer? _keepOnTimer;
    private EcpClient? _client;

    private ControllerMonitorOptions Monitor => monitorOptions.Value;

    private Guid Id => this.GetPrimaryKey();

    private bool Exists => state.RecordExists && state.State.Status != ControllerStatus.Deleting;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Exists)
        {
            await StartWatchingAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await StopListenerAsync();

    public async Task<ControllerView> AddAsync(ControllerRegistration registration)
    {
        if (state.RecordExists)
        {
            throw new ControllerException(ControllerErrorKind.Conflict, $"controller {Id} already exists");
        }

        var name = ValidName(registration.VerboseName);
        var address = ValidAddress(registration.Address);
        var token = ValidToken(registration.Token);
        var description = ValidDescription(registration.Description);
        var version = await CheckVersionAsync(clients.Create(address, token));

        var now = time.GetUtcNow();
        var s = state.State;
        s.VerboseName = name;
        s.Address = address.ToString();
        s.Description = description;
        s.Status = ControllerStatus.Active;
        s.Version = version;
        s.ProtectedToken = secrets.ProtectControllerToken(token);
        s.StatusReason = null;
        s.Created = now;
        s.Updated = now;
        await table.UpsertAsync(Id, s); // reserves the name and address, or throws Conflict
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await table.DeleteAsync(Id);
            throw;
        }

        LogAdded(name, s.Address, version);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Controller {name} added.",
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
        var name = changes.VerboseName is null ? s.VerboseName : ValidName(changes.VerboseName);
        var description = changes.Description is null ? s.Description : ValidDescription(changes.Description);
        var address = changes.Address is null ? CurrentAddress() : ValidAddress(changes.Address);
        var token = changes.Token is null ? null : ValidToken(changes.Token);
        var reconnect = changes.Address is not null && address.ToString() != s.Address || token is not null;
        var version = s.Version;
        if (reconnect)
        {
            version = await CheckVersionAsync(clients.Create(address, token ?? CurrentToken()));
        }

        var before = (s.VerboseName, s.Address, s.Description, s.Version, s.ProtectedToken);
        s.VerboseName = name;
        s.Description = description;
        s.Address = address.ToString();
        s.Version = version;
        if (token is not null)
        {
            s.ProtectedToken = secrets.ProtectControllerToken(token);
        }

        s.Updated = time.GetUtcNow();
        try
        {
            await table.UpsertAsync(Id, s);
        }
        catch (ControllerException)
        {
            (s.VerboseName, s.Address, s.Description, s.Version, s.ProtectedToken) = before;
            throw;
        }

        await state.WriteStateAsync();
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Controller {name} updated.",
            reconnect ? "Address or token changed; connection re-checked." : "", EntityType.Controller, Id, changes.User));
        if (reconnect)
        {
            _client = null;
            _resourceCache.Clear();
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
        catch (ControllerException e) when (e.Kind is ControllerErrorKind.BadAuth or ControllerErrorKind.Unreachable)
        {
            await SetStatusAsync(e.Kind == ControllerErrorKind.BadAuth ? ControllerStatus.BadAuth : ControllerStatus.Failed, e.Message, user);
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
            // deleting a pool needs its controller (its VMs are deleted there), so pools go first
            throw new ControllerException(ControllerErrorKind.WrongStatus,
                $"the controller still has {poolsLeft.Count} pool(s); remove them before the controller");
        }

        var name = state.State.VerboseName;
        state.State.Status = ControllerStatus.Deleting;
        await state.WriteStateAsync();
        await StopListenerAsync();
        _healthTimer?.Dispose();
        _healthTimer = null;
        _keepOnTimer?.Dispose();
        _keepOnTimer = null;
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

    public async Task<IReadOnlyList<ControllerResource>> ListResourcesAsync(ResourceKind kind)
    {
        RequireExists();
        if (_resourceCache.TryGetValue(kind, out var cached) && time.GetUtcNow() - cached.At < Monitor.ResourceCacheTtl)
        {
            return cached.Items;
        }

        var (path, query) = kind switch
        {
            ResourceKind.Clusters => ("clusters/", null),
            ResourceKind.Nodes => ("nodes/", null),
            ResourceKind.ResourcePools => ("resource-pools/", null),
            ResourceKind.DataPools => ("data-pools/", null),
            ResourceKind.Templates => ("domains/", new Dictionary<string, string?> { ["template"] = "1" }),
            ResourceKind.Vms => ("domains/", new Dictionary<string, string?> { ["template"] = "0" }),
            _ => throw new ControllerException(ControllerErrorKind.Invalid, $"kind: unknown resource kind {kind}"),
        };
        var items = (await CallAsync(c => c.ListAllAsync(path, query))).Select(ResourceJson.ToResource).ToList();
        _resourceCache[kind] = (time.GetUtcNow(), items);
        return items;
    }

    public Task<ListenerState> GetListenerStateAsync() => Task.FromResult(new ListenerState(
        _listener?.Running ?? false, _listener?.Connected ?? false, silo.SiloAddress.ToString(), _listener?.Connections ?? 0));

    public Task<ControllerConnection?> GetConnectionAsync() => Task.FromResult(Exists
        ? new ControllerConnection(state.State.Address, state.State.ProtectedToken, state.State.Status)
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
        _healthTimer ??= this.RegisterGrainTimer(_ => OnHealthTimerAsync(), new GrainTimerCreationOptions
        {
            DueTime = Monitor.HealthCheckInterval,
            Period = Monitor.HealthCheckInterval,
            KeepAlive = true,
        });
        _keepOnTimer ??= this.RegisterGrainTimer(_ => KeepVmsOnAsync(), new GrainTimerCreationOptions
        {
            DueTime = Monitor.KeepOnReconcileInterval,
            Period = Monitor.KeepOnReconcileInterval,
            KeepAlive = true,
        });
        if (state.State.Status == ControllerStatus.Active)
        {
            StartListener();
        }
        else
        {
            await StopListenerAsync();
        }
    }

    private async Task OnHealthTimerAsync()
    {
        if (Exists && state.State.Status is ControllerStatus.Active or ControllerStatus.Failed)
        {
            await CheckHealthAsync("system");
        }
    }

    /// <summary>The original's rules: 401/403 → BAD_AUTH, no answer or 5xx → FAILED, an answer → ACTIVE.</summary>
    private async Task CheckHealthAsync(string user)
    {
        try
        {
            await Client().CheckAsync();
        }
        catch (EcpException e)
        {
            var next = e.Kind == EcpErrorKind.Unauthorized ? ControllerStatus.BadAuth : ControllerStatus.Failed;
            await SetStatusAsync(next, e.Message, user);
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
        await state.WriteStateAsync();
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

        await CascadeAsync(next);
    }

    /// <summary>
    /// The controller's pools and VMs follow its status. A controller that fails cancels its pools' tasks as
    /// resumable; one that comes back resumes them.
    /// </summary>
    private async Task CascadeAsync(ControllerStatus status)
    {
        var poolIds = await pools.ListIdsByControllerAsync(Id);
        if (status != ControllerStatus.Active && poolIds.Count > 0)
        {
            foreach (var task in await tasks.ActiveForPoolsAsync(poolIds))
            {
                await GrainFactory.GetGrain<ITaskGrain>(task).CancelAsync("system", resumable: true);
            }
        }

        foreach (var batch in poolIds.Chunk(CascadeBatch))
        {
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IPoolGrain>(id).FollowControllerAsync(status)));
        }

        var ids = await vms.ListIdsByControllerAsync(Id);
        foreach (var batch in ids.Chunk(CascadeBatch))
        {
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IVmGrain>(id).FollowControllerAsync(status)));
        }

        if (status == ControllerStatus.Active && poolIds.Count > 0)
        {
            foreach (var task in await tasks.ResumableForPoolsAsync(poolIds))
            {
                await GrainFactory.GetGrain<ITaskGrain>(task).ResumeAsync();
            }
        }
    }

    private void StartListener()
    {
        if (_listener is { Running: true })
        {
            return;
        }

        var address = CurrentAddress();
        var token = CurrentToken();
        var self = this.AsReference<IControllerGrain>();
        var controllerId = Id;
        var grains = GrainFactory;
        _listener = new ControllerEventListener(address.EventStream(token),
            message => DomainEvents.DispatchAsync(grains, controllerId, message),
            reason => self.OnStreamLostAsync(reason),
            Monitor.ReconnectInterval, time, logger);
        _listener.Start();
    }

    private async Task StopListenerAsync()
    {
        if (_listener is not null)
        {
            var listener = _listener;
            _listener = null;
            await listener.DisposeAsync();
        }
    }

    private async Task<T> CallAsync<T>(Func<EcpClient, Task<T>> call)
    {
        try
        {
            return await call(Client());
        }
        catch (EcpException e) when (e.Kind == EcpErrorKind.Unauthorized || e.MeansControllerDown)
        {
            var unauthorized = e.Kind == EcpErrorKind.Unauthorized;
            await SetStatusAsync(unauthorized ? ControllerStatus.BadAuth : ControllerStatus.Failed, e.Message, "system");
            throw new ControllerException(unauthorized ? ControllerErrorKind.BadAuth : ControllerErrorKind.Unreachable, e.Message);
        }
    }

    private async Task<string> CheckVersionAsync(EcpClient client)
    {
        string text;
        try
        {
            text = await client.GetVersionAsync();
        }
        catch (EcpException e)
        {
            throw e.Kind switch
            {
                EcpErrorKind.Unauthorized => new ControllerException(ControllerErrorKind.BadAuth, "token: the controller rejected the integration key"),
                EcpErrorKind.Unreachable or EcpErrorKind.ServerError => new ControllerException(ControllerErrorKind.Unreachable, $"address: {e.Message}"),
                _ => new ControllerException(ControllerErrorKind.Unreachable, $"address: this does not look like an ECP VeiL controller ({e.Message})"),
            };
        }

        if (!Version.TryParse(text, out var version) || version < Monitor.MinimumVersion)
        {
            throw new ControllerException(ControllerErrorKind.UnsupportedVersion,
                $"the controller runs ECP VeiL {text}; the broker needs {Monitor.MinimumVersion} or newer");
        }

        return text;
    }

    private EcpClient Client() => _client ??= clients.Create(CurrentAddress(), CurrentToken());

    private ControllerAddress CurrentAddress() =>
        ControllerAddress.TryParse(state.State.Address, out var a, out _) ? a : throw new InvalidOperationException("stored address is invalid");

    private string CurrentToken() => secrets.UnprotectControllerToken(state.State.ProtectedToken)
        ?? throw new ControllerException(ControllerErrorKind.BadAuth, "token: the stored token cannot be decrypted (Data Protection keys lost); enter it again");

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
            throw new ControllerException(ControllerErrorKind.NotFound, $"no controller has the id {Id}");
        }
    }

    private static string ValidName(string? name)
    {
        var n = (name ?? "").Trim();
        return n.Length is > 0 and <= NameLimit ? n : throw new ControllerException(ControllerErrorKind.Invalid, $"verbose_name must be 1 to {NameLimit} characters");
    }

    private static ControllerAddress ValidAddress(string? address) =>
        ControllerAddress.TryParse(address, out var a, out var error) ? a : throw new ControllerException(ControllerErrorKind.Invalid, error);

    private static string ValidToken(string? token)
    {
        var t = (token ?? "").Trim();
        if (t.StartsWith("jwt ", StringComparison.OrdinalIgnoreCase))
        {
            t = t[4..].Trim();
        }

        return t.Length is > 0 and <= TokenLimit && !t.Any(char.IsWhiteSpace)
            ? t
            : throw new ControllerException(ControllerErrorKind.Invalid, $"token must be the controller's integration key (1 to {TokenLimit} characters, no spaces)");
    }

    private static string ValidDescription(string? description)
    {
        var d = (description ?? "").Trim();
        return d.Length <= DescriptionLimit ? d : throw new ControllerException(ControllerErrorKind.Invalid, $"description must be at most {DescriptionLimit} characters");
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Controller {Name} added at {Address} (ECP {Version})")]
    private partial void LogAdded(string name, string address, string version);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Controller {Name}: {From} -> {To} {Reason}")]
    private partial void LogStatus(string name, string from, string to, string reason);
}
