using System.Net.WebSockets;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Vms;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §2: a thin client speaks only for itself, within bounds.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class ThinClientAbuseTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private static bool IsError(System.Text.Json.JsonElement m, string text) =>
        m.TryGetProperty("error", out var e) && e.GetBoolean() && m.GetProperty("msg").GetString()!.Contains(text);

    [Fact]
    public async Task Events_about_another_users_vm_get_a_control_error_and_change_and_journal_nothing()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 2);
        await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).UpdateAsync(
            new PoolSettings { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown, VmDisconnectActionTimeout = 1 }, "admin");
        await using var owner = new VeilConnectClient(Gateway);
        await owner.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var vm = (await owner.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        await using var attacker = new VeilConnectClient(Gateway);
        await attacker.LoginAsync(scenario.Users[1].Name, ThinClientScenario.Password);
        await attacker.ConnectAsync();
        await attacker.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        var journalBefore = await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @v", ("v", vm));

        foreach (var e in new[] { "vm_connected", "vm_disconnected", "vm_connection_error", "network_stats" })
        {
            await attacker.SendEventAsync(new { msg_type = "UPDATED", @event = e, vm_id = vm, connection_type = "SPICE", conn_error_str = "x", total = 1 });
        }

        for (var i = 0; i < 4; i++)
        {
            await attacker.WaitForAsync(m => IsError(m, "not assigned to you") && attacker.Received.Count(r => IsError(r, "not assigned to you")) > i);
        }

        Assert.Equal(0L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_vm_connections c join vdi_tk_sessions s on s.id = c.session_id where s.user_id = @u", ("u", scenario.Users[1].Id)));
        Assert.Equal(journalBefore, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @v", ("v", vm)));
        Assert.Null(await system.Grains.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync()); // the owner's VM is not driven to its action
        Assert.Equal(3, (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32());
    }

    [Fact]
    public async Task A_message_over_64_KiB_closes_the_socket_with_1009()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        await client.SendRawAsync("{\"msg_type\":\"UPDATED\",\"event\":\"user_gui\",\"pad\":\"" + new string('x', 70 * 1024) + "\"}");

        Assert.True(await client.SocketClosedWithinAsync(TimeSpan.FromSeconds(10)), "the socket stayed open");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
    }

    [Fact]
    public async Task A_long_error_text_is_cut_in_the_journal_and_the_connection_history()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var vm = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connection_error", vm_id = vm, connection_type = "SPICE", conn_error_str = new string('e', 60 * 1024) });

        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @v and message like '%could not connect%'", ("v", vm)) == 1, TimeSpan.FromSeconds(10)));
        Assert.True(await TestDb.ScalarAsync<int>("select max(length(description)) from vdi_journal where entity_id = @v", ("v", vm)) <= 4096 + 10);
        Assert.True(await TestDb.ScalarAsync<int>("select max(length(conn_error_str)) from vdi_tk_vm_connections where vm_id = @v", ("v", vm)) <= 1024);
    }

    [Fact]
    public async Task The_recorded_address_is_the_peers_whatever_headers_the_client_sends()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync(headers: new Dictionary<string, string> { ["X-Real-IP"] = "203.0.113.7", ["X-Forwarded-For"] = "198.51.100.9" });
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<string>(
            "select tk_ip from vdi_tk_sessions where user_id = @u", ("u", scenario.Users[0].Id)) is not null, TimeSpan.FromSeconds(10)));
        Assert.Equal("127.0.0.1", await TestDb.ScalarAsync<string>("select tk_ip from vdi_tk_sessions where user_id = @u", ("u", scenario.Users[0].Id)));
    }

    [Fact]
    public async Task A_message_flood_is_refused_visibly_and_the_socket_survives_it()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        for (var i = 0; i < 200; i++)
        {
            await client.SendEventAsync(new { msg_type = "UPDATED", @event = "user_gui" });
        }

        await client.WaitForAsync(m => IsError(m, "Too many messages"));
        Assert.Null(client.CloseStatus); // refused, not dropped: within 30 s of flooding it stays open
    }

    [Fact]
    public async Task One_user_cannot_hold_more_than_its_share_of_sockets()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var token = await GatewayClients.LoginAsync(Gateway, scenario.Users[0].Name, ThinClientScenario.Password);
        var sockets = new List<VeilConnectClient>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                var c = new VeilConnectClient(Gateway);
                sockets.Add(c);
                await c.LoginWithTokenAsync(token);
                await c.ConnectAsync();
                await c.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && !m.GetProperty("error").GetBoolean());
            }

            Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
                "select count(*) from vdi_tk_sessions where user_id = @u and disconnected is null", ("u", scenario.Users[0].Id)) == 16, TimeSpan.FromSeconds(10)));
            await using var extra = new VeilConnectClient(Gateway);
            await extra.LoginWithTokenAsync(token);
            await extra.ConnectAsync();
            Assert.True(IsError(await extra.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control"), "Too many open sessions"));
            Assert.True(await extra.SocketClosedWithinAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, extra.CloseStatus);
        }
        finally
        {
            foreach (var c in sockets)
            {
                await c.DisposeAsync();
            }
        }
    }
}
