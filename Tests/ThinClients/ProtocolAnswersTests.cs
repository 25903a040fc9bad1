using Vdi.Grains.Interfaces.Pools;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// Issue 18, connections end to end through the gateway: what get-VM answers for SPICE_DIRECT (the node's management
/// address and the VM's real remote-access port), NATIVE_RDP and LOUDPLAY (the guest's address and their ports, under
/// either spelling of LOUDPLAY); 002 while the pool grows; and a user's own power actions on their VM.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class ProtocolAnswersTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public async Task Each_protocol_is_answered_with_where_the_client_connects_for_it()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1,
            protocols: [ConnectionType.Spice, ConnectionType.SpiceDirect, ConnectionType.Rdp, ConnectionType.NativeRdp, ConnectionType.Loudplay]);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);

        var direct = (await client.GetVmAsync(scenario.PoolId, "SPICE_DIRECT")).Body.GetProperty("data");
        var vm = direct.GetProperty("vm_id").GetGuid();
        var domain = await scenario.Sim.GetDomainAsync(vm); // powered on and opened for remote access by the get-VM
        Assert.Equal("127.0.0.1", direct.GetProperty("host").GetString()); // the node's management address (Simulator/inventory.json)
        Assert.Equal(domain.GetProperty("real_remote_access_port").GetInt32(), direct.GetProperty("port").GetInt32());
        Assert.Equal(domain.GetProperty("graphics_password").GetString(), direct.GetProperty("password").GetString());

        var native = (await client.GetVmAsync(scenario.PoolId, "NATIVE_RDP")).Body.GetProperty("data");
        // the guest's address, as its agent reports it now that the broker has waited for one
        var address = (await scenario.Sim.GetDomainAsync(vm)).GetProperty("guest_utils").GetProperty("ipv4")[0].GetString();
        Assert.Equal((address, 3389, vm), (native.GetProperty("host").GetString(), native.GetProperty("port").GetInt32(), native.GetProperty("vm_id").GetGuid()));
        foreach (var spelling in new[] { "LOUDPLAY", "LOADPLAY" })
        {
            var loudplay = (await client.GetVmAsync(scenario.PoolId, spelling)).Body.GetProperty("data");
            Assert.Equal((address, 8554), (loudplay.GetProperty("host").GetString(), loudplay.GetProperty("port").GetInt32()));
        }
    }

    [Fact]
    public async Task A_pool_that_is_growing_answers_002_and_then_gives_the_new_vm()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 2, totalSize: 2);
        await scenario.Sim.SetFaultsAsync(failCloneAfter: 0); // the expansion the hand-out starts cannot finish yet
        await using var first = new VeilConnectClient(Gateway);
        await first.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var taken = (await first.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();

        await using var second = new VeilConnectClient(Gateway);
        await second.LoginAsync(scenario.Users[1].Name, ThinClientScenario.Password);
        var refused = (await second.GetVmAsync(scenario.PoolId)).Body.GetProperty("errors")[0];
        Assert.Equal("002", refused.GetProperty("code").GetString());
        Assert.StartsWith("The pool doesn`t have free machines. Try again after 5 minutes.", refused.GetProperty("message").GetString());

        await scenario.Sim.SetFaultsAsync(); // the controller clones again: the next asks start an expansion that does

        Guid? given = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var answer = (await second.GetVmAsync(scenario.PoolId)).Body;
            given = answer.TryGetProperty("data", out var data) ? data.GetProperty("vm_id").GetGuid() : null;
            return given is not null;
        }, TimeSpan.FromSeconds(60)), "the expansion's VM never came");
        Assert.NotEqual(taken, given);
    }

    [Fact]
    public async Task A_user_powers_their_own_vm_and_only_theirs()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 2);
        await using var owner = new VeilConnectClient(Gateway);
        await owner.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var vm = (await owner.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        Assert.Equal(3, (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32());

        var (status, body) = await owner.PostAsync($"/api/client/pools/{scenario.PoolId}/shutdown", new { force = true });
        Assert.Equal((200, "success"), (status, body.GetProperty("data").GetString()));
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32() == 1,
            TimeSpan.FromSeconds(20)), "the user's shutdown did not reach the controller");
        Assert.Equal(200, (await owner.PostAsync($"/api/client/pools/{scenario.PoolId}/start")).Status);
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32() == 3,
            TimeSpan.FromSeconds(20)));

        // someone with no VM in the pool acts on none; an unknown action is refused
        await using var other = new VeilConnectClient(Gateway);
        await other.LoginAsync(scenario.Users[1].Name, ThinClientScenario.Password);
        Assert.Equal(404, (await other.PostAsync($"/api/client/pools/{scenario.PoolId}/shutdown")).Status);
        Assert.Equal(404, (await owner.PostAsync($"/api/client/pools/{scenario.PoolId}/explode")).Status);
        Assert.Equal(3, (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32());
    }
}
