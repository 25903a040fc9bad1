using Orleans.TestingHost;
using Vdi.Grains.Hosting;
using Vdi.Silo.Hosting;

namespace Vdi.Tests.Fixtures;

/// <summary>
/// One in-process cluster per collection, wired with the production persistence (real Postgres grain storage and
/// reminders); only membership is in-process.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public string ServiceId => Cluster.Options.ServiceId;

    public async Task InitializeAsync()
    {
        var pg = TestServices.PostgresConnectionString;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddVdiPersistence(pg, minimumReminderPeriod: TimeSpan.FromSeconds(1));
            silo.Services.AddVdiGrainServices(pg);
        });
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
