using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 17: the Prometheus scrape endpoint of each process, after a thin-client sequence: the gateway's logins,
/// get-VM latency and sockets moved, the silo's inventory, tasks, Orleans' and Npgsql's meters are there; the endpoint
/// is open to this host and to a scraper with the token, and to nobody else.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed partial class MetricsTests(LiveSystemFixture system)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
    private static partial Regex Sample();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)"?""")]
    private static partial Regex Label();

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include <paramref name="labels"/>; null when none.</summary>
    private static double? Value(string scrape, string name, params (string Key, string Value)[] labels)
    {
        double? sum = null;
        foreach (var line in scrape.Split('\n'))
        {
            if (line.StartsWith('#') || Sample().Match(line) is not { Success: true } m || m.Groups["name"].Value != name)
            {
                continue;
            }

            var have = Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value);
            if (labels.All(l => have.TryGetValue(l.Key, out var v) && v == l.Value))
            {
                sum = (sum ?? 0) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    /// <summary>The samples of the gateway's own counters, for a failure's message.</summary>
    private static string Relevant(string scrape) => string.Join('\n', scrape.Split('\n').Where(l =>
        l.StartsWith("vdi_logins_total", StringComparison.Ordinal) || l.StartsWith("vdi_get_vm_duration_seconds_count", StringComparison.Ordinal)
        || l.StartsWith("vdi_thin_client_sockets", StringComparison.Ordinal)));

    private static Task<string> ScrapeAsync(Uri process) => Http.GetStringAsync(new Uri(process, "/metrics"));

    [Fact]
    public async Task A_thin_client_sequence_moves_the_counters_prometheus_scrapes_from_the_gateway_and_the_silo()
    {
        var gateway = system.GatewayUrls[0];
        // a gateway host that stops in this process first: its meters go with it, the running gateway's counters stay
        // in the scrape (they once shared a stream with the stopped host's and left with it)
        var other = await system.StartGatewayAsync();
        await using (var early = new VeilConnectClient(new Uri(other.Urls.First())))
        {
            await early.LoginAsync($"nobody-{Guid.NewGuid():N}"[..20], "not-the-password");
        }

        await other.StopAsync();
        await other.DisposeAsync();
        var before = await ScrapeAsync(gateway);
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(gateway);
        Assert.False((await client.LoginAsync(scenario.Users[0].Name, "not-the-password")).TryGetProperty("data", out _));
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        Assert.Equal(200, (await client.GetVmAsync(scenario.PoolId)).Status);

        string after = "";
        bool Moved(string name, params (string, string)[] labels) => (Value(after, name, labels) ?? 0) > (Value(before, name, labels) ?? 0);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            after = await ScrapeAsync(gateway);
            return Moved("vdi_logins_total", ("channel", "thin_client"), ("result", "success"))
                   && Moved("vdi_logins_total", ("channel", "thin_client"), ("result", "failed"))
                   && Moved("vdi_get_vm_duration_seconds_count", ("outcome", "ok"))
                   && (Value(after, "vdi_thin_client_sockets") ?? 0) >= 1;
        }, TimeSpan.FromSeconds(20)), $"the gateway's counters did not move:\nbefore:\n{Relevant(before)}\nafter:\n{Relevant(after)}");
        Assert.NotNull(Value(after, "http_server_request_duration_seconds_count")); // ASP.NET Core's own
        Assert.NotNull(Value(after, "dotnet_gc_collections_total") ?? Value(after, "process_runtime_dotnet_gc_collections_count_total")); // the runtime's

        // the silo: its inventory (the hashing queue's gauge is checked on run.sh's silo, RunTopologyTests)
        var silo = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            silo = await ScrapeAsync(system.SiloUrl);
            return Value(silo, "vdi_pool_vms", ("state", "total")) >= 1 && Value(silo, "vdi_controllers", ("status", "ACTIVE")) >= 1;
        }, TimeSpan.FromSeconds(40)), $"the silo's inventory gauges are missing:\n{string.Join('\n', silo.Split('\n').Where(l => l.StartsWith("vdi_", StringComparison.Ordinal)))}");
        // Orleans' and Npgsql's meters are checked on a silo that is a process of its own (RunTopologyTests): here several
        // silo hosts share this process and its static meters
    }

    [Fact]
    public async Task The_scrape_endpoint_is_open_to_the_management_networks_and_the_token_only()
    {
        var gateway = await system.StartGatewayAsync("--Telemetry:ScrapeNetworks:0=10.99.0.0/16", "--Telemetry:ScrapeNetworks:1=10.98.0.0/16",
            "--Telemetry:ScrapeToken=scrape-secret-1");
        try
        {
            var url = new Uri(new Uri(gateway.Urls.First()), "/metrics");
            Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync(url)).StatusCode); // this host is not a management network here
            using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer scrape-secret-2" } } };
            Assert.Equal(HttpStatusCode.Forbidden, (await Http.SendAsync(wrong)).StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer scrape-secret-1" } } };
            var scraped = await Http.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
            Assert.Contains("# TYPE", await scraped.Content.ReadAsStringAsync());
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public void Every_broker_metric_the_alert_rules_and_the_dashboard_use_is_one_the_processes_declare()
    {
        // the instruments of the Vdi.* meters this test process's silo and gateways create, under their Prometheus names
        _ = system.GatewayServices(0).GetRequiredService<Vdi.WebGateway.Hosting.GatewayMetrics>();
        _ = system.SiloServices.GetRequiredService<Vdi.Grains.Hosting.BrokerMetrics>();
        _ = system.SiloServices.GetRequiredService<Vdi.Silo.Hosting.InventoryGauges>();
        _ = system.SiloServices.GetRequiredService<Vdi.Grains.Security.PasswordHashing>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        using (var listener = new System.Diagnostics.Metrics.MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name.StartsWith("Vdi.", StringComparison.Ordinal))
                {
                    var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
                    var counter = instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) || instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
                    lock (declared)
                    {
                        declared.Add(counter ? name + "_total" : name);
                    }
                }
            };
            listener.Start();
        }

        var root = Environment.GetEnvironmentVariable("VDI_ROOT") ?? throw new InvalidOperationException("VDI_ROOT is not set");
        var used = new[] { "docs/monitoring/vdi-broker-alerts.yml", "docs/monitoring/vdi-broker-dashboard.json", "docs/monitoring.md" }
            .SelectMany(f => Regex.Matches(File.ReadAllText(Path.Combine(root, f)), @"\bvdi_[a-z_]+").Select(m => m.Value))
            .Select(n => Regex.Replace(n, "_(bucket|count|sum)$", ""))
            .Where(n => n is not "vdi_broker") // the product's own name in prose and file names
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(used.Count >= 8, $"only {used.Count} metric names found in the rules and the dashboard");
        Assert.Empty(used.Where(n => !declared.Contains(n)).Order());
    }

    [Fact]
    public async Task A_get_vm_is_one_trace_from_the_gateways_request_through_the_grains_to_the_controller()
    {
        var activities = new System.Collections.Concurrent.ConcurrentBag<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http" || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(system.GatewayUrls[0]);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        Assert.Equal(200, (await client.GetVmAsync(scenario.PoolId)).Status);

        // the VM grain's ConnectAsync (which asks the controller) in the same trace as the gateway's request
        // and as the controller's HTTP call (the activities carry no URL without OTel's own instrumentation listening)
        System.Diagnostics.Activity? prepare = null;
        Assert.True(await Eventually.TrueAsync(() =>
        {
            prepare = activities.FirstOrDefault(a => a.Source.Name == "Microsoft.Orleans.Application" && a.DisplayName.EndsWith("IVmGrain/ConnectAsync", StringComparison.Ordinal)
                && activities.Any(r => r.TraceId == a.TraceId && r.Source.Name == "Microsoft.AspNetCore" && r.Kind == System.Diagnostics.ActivityKind.Server)
                && activities.Any(h => h.TraceId == a.TraceId && h.Source.Name == "System.Net.Http" && h.Kind == System.Diagnostics.ActivityKind.Client));
            return Task.FromResult(prepare is not null);
        }, TimeSpan.FromSeconds(15)), "no get-VM trace joins the gateway's request, the VM grain and the controller's HTTP call: "
            + string.Join(", ", activities.Where(a => a.DisplayName.Contains("PrepareConnection", StringComparison.Ordinal))
                .Select(a => $"{a.TraceId}: {string.Join(" / ", activities.Where(b => b.TraceId == a.TraceId).Select(b => $"{b.Source.Name}:{b.Kind}:{b.DisplayName}").Distinct())}")));
    }
}
