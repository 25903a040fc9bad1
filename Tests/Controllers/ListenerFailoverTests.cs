using Vdi.Grains.Pools;
using Vdi.Grains.Controllers;
using Vdi.Grains.Vms;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Controllers;

/// <summary>The one listener of a controller moves to a live silo when the silo holding it dies.</summary>
[Collection(ControllerCollection.Name)]
public sealed class ListenerFailoverTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task The_listener_survives_the_loss_of_its_silo()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = fixture.Client.GetGrain<IControllerGrain>(Guid.NewGuid());
        var controller = await grain.AddAsync(new ControllerRegistration($"fo-{Guid.NewGuid():N}"[..12], sim.Address, sim.Token, "", "tester"));
        var vmId = await sim.DomainIdAsync("dev-2");
        var vm = fixture.Client.GetGrain<IVmGrain>(vmId);
        await fixture.Client.GetGrain<IVmInternalGrain>(vmId).AttachAsync(new VmAttachment(controller.Id, null, "dev-2", PowerState.Off, CreatedByBroker: false));
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(10)));

        var before = await grain.GetListenerStateAsync();
        var host = fixture.Cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Silo);
        await fixture.Cluster.KillSiloAsync(host);
        try
        {
            ListenerState after = before;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    after = await grain.GetListenerStateAsync();
                    return after.Connected && after.Silo != before.Silo;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    return false; // the dead silo is still in the directory for a moment
                }
            }, TimeSpan.FromSeconds(30)), "the listener did not come back on the surviving silo");

            await sim.SetPowerAsync(vmId, "on");
            Assert.True(await Eventually.TrueAsync(async () => (await vm.GetAsync())!.PowerState == PowerState.On, TimeSpan.FromSeconds(5)));
        }
        finally
        {
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }
}
