using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;

namespace Vdi.Tests.Fixtures;

/// <summary>A simulated controller and the silo's ECP client services, without a cluster: for the classes that talk ECP.</summary>
public sealed class EcpFixture : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private EcpFixture(SimulatorHost sim, ServiceProvider services) => (Sim, _services) = (sim, services);

    public SimulatorHost Sim { get; }

    public static async Task<EcpFixture> StartAsync()
    {
        var sim = await SimulatorHost.StartAsync();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(ClusterFixture.FastSettings).AddInMemoryCollection(TestServices.KeyEncryptionSettings).Build();
        return new EcpFixture(sim, new ServiceCollection().AddLogging().AddVdiGrainServices(TestServices.PostgresConnectionString, settings).BuildServiceProvider());
    }

    public EcpClient Client(string? token = null)
    {
        Assert.True(ControllerAddress.TryParse(Sim.Address, out var address, out _));
        return _services.GetRequiredService<EcpClientFactory>().Create(address, token ?? Sim.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sim.DisposeAsync();
    }
}
