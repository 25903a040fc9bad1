using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Admin;

/// <summary>The panel's live-event WebSocket (§9.3): subscriptions by resource, on every gateway.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class LiveEventsSocketTests(LiveSystemFixture system)
{
    private static Task<JsonWebSocket> PanelAsync(Uri gateway, string token) =>
        JsonWebSocket.ConnectAsync(new UriBuilder(gateway) { Scheme = "ws", Path = "/ws/subscriptions/", Query = $"token={token}" }.Uri);

    [Fact]
    public async Task Subscriptions_are_acknowledged_and_every_gateway_delivers_the_events_of_subscribed_resources()
    {
        var token = await GatewayClients.LoginAsync(system.GatewayUrls[0], system.AdminUsername, system.AdminPassword);
        await using var one = await PanelAsync(system.GatewayUrls[0], token);
        await using var two = await PanelAsync(system.GatewayUrls[1], token);

        await one.SendAsync("add /events/");
        var ack = await one.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        Assert.False(ack.GetProperty("error").GetBoolean());
        Assert.Equal("add", ack.GetProperty("msg").GetString());
        Assert.Equal("/events/", ack.GetProperty("resource").GetString());
        await one.SendAsync("add /events/");
        await one.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("error").GetBoolean()); // already subscribed
        await one.SendAsync("add /secrets/");
        await one.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("resource").GetString() == "/secrets/"
                                    && m.GetProperty("error").GetBoolean());
        await two.SendAsync("add /events/");
        await two.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        var name = $"live-{Guid.NewGuid():N}";
        await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, "some-password", false, [], "tests"));
        bool IsIt(JsonElement m) => m.GetProperty("msg_type").GetString() == "data" && m.GetProperty("resource").GetString() == "/events/"
                                    && m.GetProperty("object").GetProperty("message").GetString()!.Contains(name);
        var seen = await one.WaitForAsync(IsIt);
        Assert.Equal("CREATED", seen.GetProperty("event").GetString());
        await two.WaitForAsync(IsIt);

        await two.SendAsync("delete /events/");
        await two.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("msg").GetString() == "delete"
                                    && !m.GetProperty("error").GetBoolean());
    }

    [Fact]
    public async Task A_nodes_load_change_on_a_controller_reaches_the_panel_through_the_controllers_event_stream()
    {
        await using var scenario = await ThinClients.ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 0);
        var controller = (await system.Grains.GetGrain<Vdi.Grains.Interfaces.Pools.IPoolGrain>(scenario.PoolId).GetAsync())!.ControllerId;
        var token = await GatewayClients.LoginAsync(system.GatewayUrls[0], system.AdminUsername, system.AdminPassword);
        await using var panel = await PanelAsync(system.GatewayUrls[0], token);
        foreach (var resource in new[] { "/nodes/", "/clusters/", "/data-pools/" })
        {
            await panel.SendAsync($"add {resource}");
            var ack = await panel.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("resource").GetString() == resource);
            Assert.False(ack.GetProperty("error").GetBoolean());
        }

        // a VM powered on in the controller's own UI: its node's load changes, and the panel hears it
        var office = await scenario.Sim.DomainIdAsync("office-2");
        var node = (await scenario.Sim.GetDomainAsync(office)).GetProperty("node").GetProperty("id").GetGuid();
        var before = (await scenario.Sim.Http.GetFromJsonAsync<JsonElement>($"/api/nodes/{node}/")).GetProperty("domains_on_count").GetInt32();
        await scenario.Sim.SetPowerAsync(office, "on");
        var seen = await panel.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "data" && m.GetProperty("resource").GetString() == "/nodes/"
                                                 && m.GetProperty("object").GetProperty("controller").GetGuid() == controller
                                                 && m.GetProperty("object").GetProperty("details").GetProperty("domains_on_count").GetString() == (before + 1).ToString());
        Assert.Equal(("UPDATED", node), (seen.GetProperty("event").GetString(), seen.GetProperty("object").GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task A_bad_token_or_a_user_without_an_admin_role_is_refused_with_4001()
    {
        await using (var bad = await PanelAsync(system.GatewayUrls[0], "not-a-token"))
        {
            var refused = await bad.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
            Assert.True(refused.GetProperty("error").GetBoolean());
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(bad.CloseStatus == (WebSocketCloseStatus)4001), TimeSpan.FromSeconds(10)));
        }

        var (_, _, plain) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[1]);
        await using var user = await PanelAsync(system.GatewayUrls[1], plain);
        var no = await user.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        Assert.True(no.GetProperty("error").GetBoolean());
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(user.CloseStatus == (WebSocketCloseStatus)4001), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_panel_whose_user_loses_the_operator_role_or_the_token_is_closed_with_4001()
    {
        var (name, id, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Role.Operator);
        await using (var panel = await PanelAsync(system.GatewayUrls[0], token))
        {
            await panel.SendAsync("add /events/");
            Assert.False((await panel.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control")).GetProperty("error").GetBoolean());

            await system.Grains.GetGrain<IUserGrain>(id).UpdateAsync(new UserChanges { Roles = [] }, "tests");
            await panel.SendAsync("add /pools/");
            var refused = await panel.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("error").GetBoolean());
            Assert.Equal("An administrator role is required.", refused.GetProperty("msg").GetString());
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(panel.CloseStatus == (WebSocketCloseStatus)4001), TimeSpan.FromSeconds(10)));
        }

        await system.Grains.GetGrain<IUserGrain>(id).UpdateAsync(new UserChanges { Roles = [Role.Operator] }, "tests");
        var first = await GatewayClients.LoginAsync(system.GatewayUrls[1], name, "role-password");
        await using var replaced = await PanelAsync(system.GatewayUrls[1], first);
        await replaced.SendAsync("add /events/"); // the socket was validated with its token before the newer login
        Assert.False((await replaced.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control")).GetProperty("error").GetBoolean());
        await GatewayClients.LoginAsync(system.GatewayUrls[0], name, "role-password"); // a newer login replaces the panel's token
        await replaced.SendAsync("add /pools/");
        var gone = await replaced.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("error").GetBoolean());
        Assert.Contains("no longer valid", gone.GetProperty("msg").GetString());
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(replaced.CloseStatus == (WebSocketCloseStatus)4001), TimeSpan.FromSeconds(10)));
    }
}
