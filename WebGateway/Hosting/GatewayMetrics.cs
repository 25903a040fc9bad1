using System.Diagnostics.Metrics;
using System.Text.Json;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// The gateway's own meter (<c>Vdi.Gateway</c>): logins by channel and result, thin clients' get-VM latency by
/// outcome, and the thin-client sockets it holds. Scraped at /metrics with ASP.NET Core's, the runtime's and Orleans'.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Vdi.Gateway";

    // The instruments belong to the process and live as long as it does (one gateway per process in production). A
    // meter a host's IMeterFactory made would be disposed with that host, and a metrics provider that listens to
    // every Vdi.* meter shares one stream among same-named instruments: a second gateway host stopping in the same
    // process (the tests) would take the first one's counters out of its scrape.
    private static readonly Meter ProcessMeter = new(MeterName);

    private static readonly Counter<long> Logins = ProcessMeter.CreateCounter<long>("vdi.logins",
        description: "logins answered, by channel (thin_client, web, sso) and result (success or why not)");

    private static readonly Histogram<double> GetVmDuration = ProcessMeter.CreateHistogram("vdi.get_vm.duration", unit: "s",
        description: "thin clients' get-VM requests, by outcome (ok, the thin-client error code, or the refusal)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 65] });

    // the sockets of every gateway host of the process (one in production)
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LocalClients, byte> Sockets = new();

    private static readonly ObservableUpDownCounter<int> SocketsGauge = ProcessMeter.CreateObservableUpDownCounter("vdi.thin_client.sockets",
        () => Sockets.Keys.Sum(c => c.Count), description: "thin-client sockets this gateway holds");

    public GatewayMetrics(LocalClients clients)
    {
        Sockets[clients] = 0;
        _ = SocketsGauge;
    }

    /// <summary>A metric tag's spelling of an enum or reason: snake_case.</summary>
    public static string Name(string value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value);

    public void Login(string channel, string result) => Logins.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("result", result));

    public void GetVm(TimeSpan took, string outcome) => GetVmDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
}
