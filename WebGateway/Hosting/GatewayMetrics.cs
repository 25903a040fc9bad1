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

    private readonly Counter<long> _logins;
    private readonly Histogram<double> _getVm;

    public GatewayMetrics(IMeterFactory meters, LocalClients clients)
    {
        var meter = meters.Create(MeterName);
        _logins = meter.CreateCounter<long>("vdi.logins", description: "logins answered, by channel (thin_client, web, sso) and result (success or why not)");
        _getVm = meter.CreateHistogram("vdi.get_vm.duration", unit: "s",
            description: "thin clients' get-VM requests, by outcome (ok, the thin-client error code, or the refusal)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 65] });
        Sockets[clients] = 0;
        _ = ProcessMeter;
    }

    // the sockets gauge belongs to the process (one gateway per process in production): a metrics provider registers
    // an observable instrument once by its name, so a second gateway host in one process (the tests) adds to it
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LocalClients, byte> Sockets = new();

    private static readonly Meter ProcessMeter = CreateProcessMeter();

    private static Meter CreateProcessMeter()
    {
        var meter = new Meter(MeterName);
        meter.CreateObservableUpDownCounter("vdi.thin_client.sockets", () => Sockets.Keys.Sum(c => c.Count), description: "thin-client sockets this gateway holds");
        return meter;
    }

    /// <summary>A metric tag's spelling of an enum or reason: snake_case.</summary>
    public static string Name(string value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value);

    public void Login(string channel, string result) => _logins.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("result", result));

    public void GetVm(TimeSpan took, string outcome) => _getVm.Record(took.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
}
