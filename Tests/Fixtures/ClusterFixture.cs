using Microsoft.Extensions.DependencyInjection;
using Vdi.Shared.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.TestingHost;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Configuration;
using Vdi.Grains.Interfaces.Live;
using Vdi.Silo.Hosting;

namespace Vdi.Tests.Fixtures;

/// <summary>
/// One in-process cluster per collection, wired with the production persistence (real Postgres grain storage,
/// reminders and stream subscriptions); only membership is in-process. Intervals are shortened for tests.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly short _silos;

    public ClusterFixture()
        : this(1)
    {
    }

    protected ClusterFixture(short silos) => _silos = silos;

    /// <summary>Settings that make controller monitoring fast enough to test.</summary>
    public static readonly IReadOnlyDictionary<string, string?> FastSettings = new Dictionary<string, string?>
    {
        ["Controllers:HealthCheckInterval"] = "00:00:01",
        ["Controllers:ReconnectInterval"] = "00:00:00.500",
        ["Controllers:KeepAlivePeriod"] = "00:00:02",
        ["Controllers:ResourceCacheTtl"] = "00:00:02",
        ["Ecp:AttemptTimeout"] = "00:00:03",
        ["Ecp:AllowPlainHttp"] = "true", // the simulator speaks plain HTTP
        ["Ecp:CallTimeout"] = "00:00:08",
        ["Ecp:RetryAttempts"] = "1",
        ["Ecp:RetryDelay"] = "00:00:00.100",
        ["Ecp:TaskPollInterval"] = "00:00:00.100",
        ["Tasks:ResumePeriod"] = "00:00:02",
        ["Tasks:LockRetryInterval"] = "00:00:00.200",
        ["Tasks:ControllerTaskTimeout"] = "00:01:00",
    };

    /// <summary>Settings of this fixture's silos only (the live-system fixture shares <see cref="FastSettings"/>).</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>Services of this fixture's silos registered before the broker's (which add only what is missing).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public string ServiceId => Cluster.Options.ServiceId;

    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var pg = PostgresTuning.ForPool(TestServices.PostgresConnectionString, 50); // as the silo host tunes it
        var settings = new ConfigurationBuilder().AddInMemoryCollection(FastSettings).AddInMemoryCollection(ExtraSettings)
            .AddInMemoryCollection(TestServices.KeyEncryptionSettings).Build();
        var builder = new InProcessTestClusterBuilder(_silos);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Logging.AddProvider(Logs);
            host.Logging.SetMinimumLevel(LogLevel.Debug);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddVdiPersistence(pg, minimumReminderPeriod: TimeSpan.FromSeconds(1));
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 1;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
            ConfigureServices(silo.Services);
            silo.Services.AddVdiGrainServices(pg, settings);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(LiveStreams.Provider, b => b.ConfigurePartitioning(LiveStreams.Queues)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

/// <summary>Two silos, for the controller tests (one of them kills a silo).</summary>
public sealed class TwoSiloClusterFixture() : ClusterFixture(2)
{
    /// <summary>No thin client connects to this cluster: sessions opened by tests go silent in seconds, not 35 s.</summary>
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["ThinClients:DeadSessionTimeout"] = "00:00:03",
        ["ThinClients:DeadSessionCheckInterval"] = "00:00:01",
        ["ThinClients:DisconnectGrace"] = "00:00:00", // the grace after a lost socket: the dead-session timeout, 3 s
    };
}

[CollectionDefinition(Name)]
public sealed class ControllerCollection : ICollectionFixture<TwoSiloClusterFixture>
{
    public const string Name = "controllers";
}

/// <summary>One silo whose logins' clock (<see cref="Vdi.Grains.Security.SecurityClock"/>) is a <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/> the tests move (lockouts, password expiry).</summary>
public sealed class FakeClockClusterFixture : ClusterFixture
{
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton(new Vdi.Grains.Security.SecurityClock(Clock));
}

[CollectionDefinition(Name)]
public sealed class FakeClockCollection : ICollectionFixture<FakeClockClusterFixture>
{
    public const string Name = "fake-clock";
}
