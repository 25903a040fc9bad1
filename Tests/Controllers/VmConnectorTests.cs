using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.ThinClients;
using Vdi.Grains.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Controllers;

/// <summary>A VM made ready for a thin client on a simulated controller, without a cluster (§8.1 get-VM, steps 4-6).</summary>
public sealed class VmConnectorTests : IAsyncLifetime
{
    private static readonly ThinClientOptions Options = new()
    {
        PowerOnTimeout = TimeSpan.FromSeconds(20),
        AddressTimeout = TimeSpan.FromSeconds(20),
        AddressPollInterval = TimeSpan.FromMilliseconds(50),
    };

    private EcpFixture _ecp = null!;

    private SimulatorHost Sim => _ecp.Sim;

    public async Task InitializeAsync() => _ecp = await EcpFixture.StartAsync();

    public async Task DisposeAsync() => await _ecp.DisposeAsync();

    private EcpClient Client(string? token = null) => _ecp.Client(token);

    private async Task<(EcpClient Client, EcpDomain Domain)> OffVmAsync(string name)
    {
        var client = Client();
        var id = await Sim.DomainIdAsync(name);
        await Sim.SetPowerAsync(id, "off");
        return (client, await client.GetDomainAsync(id));
    }

    [Fact]
    public async Task Spice_starts_an_off_vm_opens_remote_access_and_answers_the_controllers_console()
    {
        var (client, domain) = await OffVmAsync("office-2");
        Assert.Equal(PowerState.Off, domain.PowerState);

        var prepared = await new VmConnector(client, Options, TimeProvider.System).PrepareAsync(domain, ConnectionType.Spice, "known-name");

        Assert.Equal(PowerState.On, prepared.Domain.PowerState);
        Assert.True(prepared.Domain.RemoteAccess);
        var c = prepared.Connection;
        Assert.Equal((new Uri(Sim.Address).Host, "office-2"), (c.Host, c.VmVerboseName));
        Assert.Equal(prepared.Domain.RemoteAccessPort, c.Port);
        Assert.True(c.Port > 0);
        Assert.False(string.IsNullOrEmpty(c.Token));
        Assert.Equal(prepared.Domain.GraphicsPassword, c.Password);
        Assert.Equal(PowerState.On, (await client.GetDomainAsync(domain.Id)).PowerState); // on the controller too
    }

    [Fact]
    public async Task Rdp_waits_for_the_guests_address_and_spice_direct_goes_to_the_node()
    {
        var (client, domain) = await OffVmAsync("dev-2");
        var rdp = await new VmConnector(client, Options, TimeProvider.System).PrepareAsync(domain, ConnectionType.Rdp, "dev-2");
        Assert.Equal(VmConnector.RdpPort, rdp.Connection.Port);
        Assert.Equal((await client.GetDomainAsync(domain.Id)).GuestAddress, rdp.Connection.Host);
        Assert.Null(rdp.Connection.Token);

        var direct = await new VmConnector(client, Options, TimeProvider.System).PrepareAsync(rdp.Domain, ConnectionType.SpiceDirect, "dev-2");
        Assert.Equal("127.0.0.1", direct.Connection.Host); // the node's management address (Simulator/inventory.json)
        Assert.Equal(direct.Domain.RealRemoteAccessPort, direct.Connection.Port);
    }

    [Fact]
    public async Task A_protocol_the_broker_does_not_know_is_refused_as_such()
    {
        var client = Client();
        var domain = await client.GetDomainAsync(await Sim.DomainIdAsync("office-1"));
        var e = await Assert.ThrowsAsync<BrokerException>(() => new VmConnector(client, Options, TimeProvider.System).PrepareAsync(domain, (ConnectionType)99, "x"));
        Assert.Equal(ErrorKind.UnknownProtocol, e.Kind);
    }
}
