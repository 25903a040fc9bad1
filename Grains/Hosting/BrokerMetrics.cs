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

    // process-wide instruments (see GatewayMetrics): a silo host stopping in a process with others (the tests) must
    // not take their counters out of the scrape
    private static readonly Meter ProcessMeter = new(MeterName);

    private static readonly Counter<long> Tasks = ProcessMeter.CreateCounter<long>("vdi.tasks.finished",
        description: "tasks that ended, by type and status (FINISHED, FAILED, CANCELLED)");

    private static readonly Histogram<double> TaskDuration = ProcessMeter.CreateHistogram("vdi.tasks.duration", unit: "s",
        description: "how long tasks ran, by type and status",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600] });

    private static readonly Counter<long> DisconnectActions = ProcessMeter.CreateCounter<long>("vdi.disconnect_actions",
        description: "actions after a user's disconnect, by action and result (done, user_present)");

    private static readonly Histogram<double> DisconnectLateness = ProcessMeter.CreateHistogram("vdi.disconnect_actions.lateness", unit: "s",
        description: "how long after its deadline a disconnect action fired",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 5, 15, 30, 60, 120, 300, 900] });

    private static readonly Counter<long> VmConnections = ProcessMeter.CreateCounter<long>("vdi.vm_connections",
        description: "VM connections thin clients reported (vm_connected, vm_connection_error), by protocol and result");

    /// <summary>The protocols a label may name: a client's text never becomes a label of its own (one series per value).</summary>
    private static readonly HashSet<string> Protocols = new(StringComparer.OrdinalIgnoreCase) { "SPICE", "SPICE_DIRECT", "RDP", "NATIVE_RDP", "X2GO", "LOUDPLAY" };

    /// <summary>The label of a protocol a client named: one of <see cref="Protocols"/> in capitals, or "other".</summary>
    public static string ProtocolLabel(string? protocol) => protocol is not null && Protocols.Contains(protocol) ? protocol.ToUpperInvariant() : "other";

    public void VmConnection(string? protocol, bool successful) =>
        VmConnections.Add(1, new KeyValuePair<string, object?>("protocol", ProtocolLabel(protocol)),
            new KeyValuePair<string, object?>("result", successful ? "connected" : "error"));

    private static string Name(string value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value);

    public void TaskFinished(string type, string status, TimeSpan? ran)
    {
        var tags = new[] { new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("status", status) };
        Tasks.Add(1, tags);
        if (ran is { } d && d >= TimeSpan.Zero)
        {
            TaskDuration.Record(d.TotalSeconds, tags);
        }
    }

    public void DisconnectAction(string action, string result, TimeSpan late)
    {
        DisconnectActions.Add(1, new KeyValuePair<string, object?>("action", Name(action)), new KeyValuePair<string, object?>("result", result));
        DisconnectLateness.Record(Math.Max(0, late.TotalSeconds), new KeyValuePair<string, object?>("action", Name(action)));
    }
}
