using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Vdi.Grains.Hosting;

/// <summary>
/// The silo's own meter (<c>Vdi.Broker</c>): task outcomes and durations by type (expansions are POOL_EXPAND tasks),
/// VM connections by protocol, and the actions after a disconnect (fired, cancelled because the user was still in
/// the VM) with how late they fired after their deadline.
/// </summary>
public sealed class BrokerMetrics
{
    public const string MeterName = "Vdi.Broker";

    private readonly Counter<long> _tasks;
    private readonly Histogram<double> _taskDuration;
    private readonly Counter<long> _disconnectActions;
    private readonly Histogram<double> _disconnectLateness;
    private readonly Counter<long> _vmConnections;

    public BrokerMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _tasks = meter.CreateCounter<long>("vdi.tasks.finished", description: "tasks that ended, by type and status (FINISHED, FAILED, CANCELLED)");
        _taskDuration = meter.CreateHistogram("vdi.tasks.duration", unit: "s", description: "how long tasks ran, by type and status",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] });
        _disconnectActions = meter.CreateCounter<long>("vdi.disconnect_actions", description: "actions after a user's disconnect, by action and result (done, user_present)");
        _disconnectLateness = meter.CreateHistogram("vdi.disconnect_actions.lateness", unit: "s", description: "how long after its deadline a disconnect action fired",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 5, 15, 30, 60, 120, 300, 900] });
        _vmConnections = meter.CreateCounter<long>("vdi.vm_connections", description: "VM connections thin clients reported (vm_connected, vm_connection_error), by protocol and result");
    }

    /// <summary>The protocols a label may name: a client's text never becomes a label of its own (one series per value).</summary>
    private static readonly HashSet<string> Protocols = new(StringComparer.OrdinalIgnoreCase) { "SPICE", "SPICE_DIRECT", "RDP", "NATIVE_RDP", "X2GO", "LOUDPLAY" };

    public void VmConnection(string? protocol, bool successful) =>
        _vmConnections.Add(1, new KeyValuePair<string, object?>("protocol", protocol is not null && Protocols.Contains(protocol) ? protocol.ToUpperInvariant() : "other"),
            new KeyValuePair<string, object?>("result", successful ? "connected" : "error"));

    private static string Name(string value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value);

    public void TaskFinished(string type, string status, TimeSpan? ran)
    {
        var tags = new[] { new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("status", status) };
        _tasks.Add(1, tags);
        if (ran is { } d && d >= TimeSpan.Zero)
        {
            _taskDuration.Record(d.TotalSeconds, tags);
        }
    }

    public void DisconnectAction(string action, string result, TimeSpan late)
    {
        _disconnectActions.Add(1, new KeyValuePair<string, object?>("action", Name(action)), new KeyValuePair<string, object?>("result", result));
        _disconnectLateness.Record(Math.Max(0, late.TotalSeconds), new KeyValuePair<string, object?>("action", Name(action)));
    }
}
