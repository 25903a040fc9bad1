using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Controllers.Events;
using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers;

/// <summary>
/// What watches one controller from its grain's activation: the health-check and keep-on timers, and the one
/// listener of its event stream in the cluster (running off the grain's scheduler, handing domain messages to the
/// VM grains and a lost stream back to the controller grain).
/// </summary>
public sealed class ControllerWatch(Grain grain, IGrainFactory grains, ControllerMonitorOptions monitor, TimeProvider time, ILogger logger)
{
    private ControllerEventListener? _listener;
    private IGrainTimer? _health;
    private IGrainTimer? _keepOn;

    public void StartTimers(Func<Task> checkHealth, Func<Task> keepOn)
    {
        // the health probe interleaves: a controller that answers nothing never holds its grain (the admin can still
        // read, test and correct it); the probe's outcome is applied by a call of its own, in turn
        _health ??= Every(monitor.HealthCheckInterval, checkHealth, interleave: true);
        _keepOn ??= Every(monitor.KeepOnReconcileInterval, keepOn);
    }

    /// <summary>Starts the listener unless it runs already.</summary>
    public void StartListener(ControllerAddress address, string token, ControllerTrust trust)
    {
        if (_listener is { Running: true })
        {
            return;
        }

        var controllerId = grain.GetPrimaryKey();
        var self = grain.AsReference<IControllerInternalGrain>();
        var events = new DomainEvents(grains, controllerId, logger);
        _listener = new ControllerEventListener(address.EventStream(token), events.DispatchAsync,
            self.OnStreamLostAsync, monitor.ReconnectInterval, time, logger, trust, (resource, message) => RelayAsync(self, resource, message));
        _listener.Start();
    }

    /// <summary>A cluster, node or data-pool message, parsed once into the admin's resource row, to the controller grain.</summary>
    private static Task RelayAsync(IControllerInternalGrain self, string resource, System.Text.Json.JsonElement message)
    {
        var @event = message.TryGetProperty("event", out var e) && e.GetString() is { Length: > 0 and <= 16 } name ? name : "UPDATED";
        if (!message.TryGetProperty("object", out var item) || item.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return Task.CompletedTask;
        }

        var row = ResourceJson.ToResource(item);
        return row.Id == Guid.Empty ? Task.CompletedTask : self.OnResourceEventAsync(resource, @event, row);
    }

    public async Task StopListenerAsync()
    {
        if (_listener is { } listener)
        {
            _listener = null;
            await listener.DisposeAsync();
        }
    }

    /// <summary>Timers and listener, for a controller that is being removed.</summary>
    public async Task StopAsync()
    {
        await StopListenerAsync();
        _health?.Dispose();
        _health = null;
        _keepOn?.Dispose();
        _keepOn = null;
    }

    public ListenerState State(string silo) => new(_listener?.Running ?? false, _listener?.Connected ?? false, silo, _listener?.Connections ?? 0);

    private IGrainTimer Every(TimeSpan period, Func<Task> tick, bool interleave = false) => ((IGrainBase)grain).RegisterGrainTimer(_ => tick(), new GrainTimerCreationOptions
    {
        DueTime = period,
        Period = period,
        KeepAlive = true,
        Interleave = interleave,
    });
}
