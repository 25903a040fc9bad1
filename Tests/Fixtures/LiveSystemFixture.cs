using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Vdi.Silo.Hosting;
using Vdi.Silo.Startup;
using Vdi.WebGateway.Hosting;

namespace Vdi.Tests.Fixtures;

/// <summary>
/// The production processes' wiring, in this process: one silo (Redis membership, Postgres storage, dashboard)
/// and two WebGateway instances that find it through Redis, each on its own loopback port.
/// </summary>
public class LiveSystemFixture : IAsyncLifetime
{
    public LiveSystemFixture()
        : this(TestServices.PostgresConnectionString)
    {
    }

    /// <param name="postgres">The database the silo and gateways use (the fault tests' own Postgres, for them).</param>
    protected LiveSystemFixture(string postgres) => PostgresConnectionString = postgres;

    public string PostgresConnectionString { get; }

    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..13];

    public string ClusterId => _clusterId;
    private WebApplication? _silo;
    private readonly List<WebApplication> _gateways = [];

    public string AdminUsername { get; } = $"admin-{Guid.NewGuid():N}"[..16];

    public string AdminPassword { get; } = $"Pw-{Guid.NewGuid():N}";

    public string ServiceId { get; } = $"svc-{Guid.NewGuid():N}"[..12];

    public Uri SiloUrl { get; private set; } = null!;

    /// <summary>The silo's own grain factory, for arranging data.</summary>
    public IGrainFactory Grains => _silo!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>A gateway's services (its endpoints, for the authorization tests).</summary>
    public IServiceProvider GatewayServices(int i) => _gateways[i].Services;

    /// <summary>The silo's services (its singletons, for the metrics tests).</summary>
    public IServiceProvider SiloServices => _silo!.Services;

    /// <summary>The silo's Retention:ArchiveDirectory (a folder of this fixture's own).</summary>
    public string ArchiveDirectory { get; } = Path.Combine(Path.GetTempPath(), $"vdi-archive-{Guid.NewGuid():N}");

    public IReadOnlyList<Uri> GatewayUrls => [.. _gateways.Select(g => new Uri(g.Urls.First()))];

    public async Task InitializeAsync()
    {
        string[] common =
        [
            $"--Postgres:ConnectionString={PostgresConnectionString}",
            $"--Redis:ConnectionString={TestServices.RedisConnectionString}",
            $"--Cluster:ClusterId={_clusterId}",
            $"--Cluster:ServiceId={ServiceId}",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            "--Drain:ReadinessDelay=00:00:00", // a stopping test gateway has no balancer to tell (the drain is tested with its own)
            "--Services:HeartbeatInterval=00:00:02", // the services page's reports, every 2 s instead of 15 (tested)
            "--Notifications:RetryDelays:0=00:00:00.200", // one quick retry instead of 5 s, 30 s, 2 min (tested)
            "--Notifications:SettingsCacheTtl=00:00:00",
            "--Broker:Language=en", // the panel opens in English (a gateway of its own tests Russian)
        ];

        var siloBuilder = WebApplication.CreateBuilder(
        [
            .. common,
            $"--Silo:SiloPort={FreePort.Next()}",
            $"--Silo:GatewayPort={FreePort.Next()}",
            $"--Admin:Username={AdminUsername}",
            $"--Admin:Password={AdminPassword}",
            "--Silo:MinimumReminderPeriod=00:00:01",
            $"--Retention:ArchiveDirectory={ArchiveDirectory}",
            "--Silo:DashboardRecheck=00:00:00", // the dashboard's cookie reads the account at every request (tested)
            "--Silo:DashboardLoginsPerMinutePerUsername=4", // the sign-in's rate limit, low enough to test (one test per username)
            // a dead session is judged in 20 s (pings every 10 s still keep a live one), and the grace window after a
            // lost socket is that long too (the product's 60 s would make each socket test wait a minute)
            "--ThinClients:DeadSessionTimeout=00:00:20",
            "--ThinClients:DisconnectGrace=00:00:00",
            .. ClusterFixture.FastSettings.Select(kv => $"--{kv.Key}={kv.Value}"),
        ]);
        await Preflight.RunAsync(siloBuilder.Configuration);
        _silo = SiloApplication.Build(siloBuilder);
        await _silo.StartAsync();
        SiloUrl = new Uri(_silo.Urls.First());

        for (var i = 0; i < 2; i++)
        {
            var gateway = GatewayApplication.Create([.. common, .. UnthrottledLogins]);
            await gateway.StartAsync();
            _gateways.Add(gateway);
        }

        _common = common;
    }

    /// <summary>
    /// The shared gateways take every test's logins from 127.0.0.1, the same few accounts many times a minute: their
    /// login rate limits are lifted (the limits are tested on a gateway of their own, <see cref="StartGatewayAsync"/>).
    /// </summary>
    private static readonly string[] UnthrottledLogins = ["--Broker:LoginsPerMinutePerAddress=1000000", "--Broker:LoginsPerMinutePerUsername=1000000"];

    private string[] _common = [];

    /// <summary>One more gateway of this cluster with settings of the test's own; the caller disposes it.</summary>
    public async Task<TestGateway> StartGatewayAsync(params string[] settings)
    {
        var gateway = GatewayApplication.Create([.. _common, .. settings]);
        await gateway.StartAsync();
        return new TestGateway(gateway);
    }

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private readonly SemaphoreSlim _browserGate = new(1, 1);

    /// <summary>Debian's Chromium driven by Playwright, started on first use and shared by the collection's browser tests.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        await _browserGate.WaitAsync();
        try
        {
            if (_browser is null)
            {
                Assertions.SetDefaultExpectTimeout(15_000); // a busy 2-core CI machine: live updates can take seconds
                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
                    Headless = true,
                    Args = ["--disable-gpu", "--disable-quic"],
                });
            }

            return _browser;
        }
        finally
        {
            _browserGate.Release();
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        foreach (var gateway in _gateways)
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }

        if (_silo is not null)
        {
            await _silo.StopAsync();
            await _silo.DisposeAsync();
        }

        if (Directory.Exists(ArchiveDirectory))
        {
            Directory.Delete(ArchiveDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LiveSystemCollection : ICollectionFixture<LiveSystemFixture>
{
    public const string Name = "live system";
}
