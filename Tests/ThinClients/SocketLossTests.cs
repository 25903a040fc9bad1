using System.Net.WebSockets;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// Issue 13 §1: evidence of use decides, not the socket. Real gateways, real sockets cut without a close frame, a
/// client that reconnects with the same token as VeiL Connect does and goes on sending network_stats.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class SocketLossTests(LiveSystemFixture system)
{
    private Uri Gateway(int i = 0) => system.GatewayUrls[i];

    private static Task<long> JournalAsync(Guid vm, string like) =>
        TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @v and message like @m", ("v", vm), ("m", like));

    private static Task<long> ReminderRowsAsync(Guid vm) =>
        TestDb.ScalarAsync<long>("select count(*) from orleansreminderstable where remindername = @r and grainid like @g",
            ("r", DisconnectAlarm.ReminderName), ("g", $"%{vm:N}%"));

    /// <summary>For a failure's message: the user's sessions (how they ended) and the VM's journal.</summary>
    private static async Task<string> WhatHappenedAsync(Guid vm, Guid user) =>
        await TestDb.ScalarAsync<string>("""
            select coalesce((select string_agg(id || ' ' || coalesce(close_reason::text, 'open') || ' at ' || coalesce(disconnected::text, '-')
                                               || ' data ' || data_received::text, '; ') from vdi_tk_sessions where user_id = @u), '')
                   || ' | ' || coalesce((select string_agg(created::text || ' ' || message, '; ' order by id) from vdi_journal where entity_id = @v), '')
            """, ("u", user), ("v", vm)) ?? "";

    private static async Task<int> PowerAsync(ThinClientScenario scenario, Guid vm) =>
        (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32();

    /// <summary>A scenario whose pool shuts a VM down 1 s after its user left, and a client in its VM (vm_connected sent).</summary>
    private Task<(ThinClientScenario Scenario, VeilConnectClient Client, Guid Vm, Guid User)> ClientInVmAsync(int gateway = 0) =>
        ClientInVmAsync(Gateway(gateway));

    private async Task<(ThinClientScenario Scenario, VeilConnectClient Client, Guid Vm, Guid User)> ClientInVmAsync(Uri gateway)
    {
        var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).UpdateAsync(
            new PoolSettings { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown, VmDisconnectActionTimeout = 1 }, "admin");
        var client = new VeilConnectClient(gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        var vm = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = vm, connection_type = "SPICE", is_connection_secure = false });
        await client.SendNetworkStatsAsync(vm);
        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_vm_connections where vm_id = @v and disconnected_from_vm is null", ("v", vm)) == 1, TimeSpan.FromSeconds(10)));
        Assert.Equal(3, await PowerAsync(scenario, vm));
        return (scenario, client, vm, scenario.Users[0].Id);
    }

    private static Task<bool> SessionsClosedAsync(Guid user, int closed) =>
        Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_sessions where user_id = @u and disconnected is not null", ("u", user)) == closed, TimeSpan.FromSeconds(40));

    [Fact]
    public async Task A_socket_cut_and_reconnected_with_the_same_token_keeps_the_desktop_on()
    {
        var (scenario, client, vm, user) = await ClientInVmAsync();
        await using var _ = scenario;
        await using var __ = client;

        client.CutSocket(); // no close frame, no vm_disconnected: a network blip
        Assert.True(await SessionsClosedAsync(user, 1), "the cut socket's session did not end");
        Assert.Equal("CONNECTION_LOST", await TestDb.ScalarAsync<string>("select close_reason from vdi_tk_sessions where user_id = @u", ("u", user)));
        var pending = await system.Grains.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync();
        Assert.NotNull(pending); // armed, but after the grace window (the dead-session timeout here, 20 s) plus the pool's 1 s
        Assert.True(pending > DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10), $"the action is due at {pending:O}: no grace window");

        await client.ReconnectAsync(); // as VeiL Connect: the same URL and token, and no vm_connected again
        await client.SendNetworkStatsAsync(vm);

        Assert.True(await Eventually.TrueAsync(async () => await system.Grains.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync() is null,
            TimeSpan.FromSeconds(10)), "the client's statistics about its VM did not cancel the pending action");
        Assert.Equal(0, await ReminderRowsAsync(vm)); // nothing is left that could fire
        Assert.Equal(3, await PowerAsync(scenario, vm));
        Assert.Equal(0, await JournalAsync(vm, "Action upon user disconnect completed.%"));
    }

    [Fact]
    public async Task A_client_back_on_the_other_gateway_before_its_old_session_ends_keeps_the_desktop_on()
    {
        var (scenario, client, vm, user) = await ClientInVmAsync(gateway: 0);
        await using var _ = scenario;
        await using var __ = client;
        // the same client's new socket, through the other gateway (its first gateway died or the load balancer moved
        // it), reporting the VM before the old session is judged
        await using var again = new VeilConnectClient(Gateway(1));
        await again.LoginWithTokenAsync(client.Token!);
        await again.ConnectAsync();
        await again.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        // as VeiL Connect in the desktop: statistics every 5 s (the one evidence of use that keeps coming)
        await using var reporting = again.ReportNetworkStatsEvery5s(vm);
        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_vm_connections where vm_id = @v and disconnected_from_vm is null", ("v", vm)) == 2, TimeSpan.FromSeconds(10)));

        client.CutSocket();
        Assert.True(await SessionsClosedAsync(user, 1), "the cut socket's session did not end");

        // the old session's end arms the action; at its deadline the user's other session still reports the VM
        Assert.True(await Eventually.TrueAsync(async () => await JournalAsync(vm, "Action upon user disconnect cancelled%") == 1,
            TimeSpan.FromSeconds(45)), $"the action was not cancelled by the session that reports the VM: {await WhatHappenedAsync(vm, user)}");
        Assert.Null(await system.Grains.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync());
        Assert.Equal(0, await ReminderRowsAsync(vm));
        Assert.Equal(3, await PowerAsync(scenario, vm));
        Assert.Equal(0, await JournalAsync(vm, "Action upon user disconnect completed.%"));
    }

    [Fact]
    public async Task A_stopping_gateway_refuses_logins_reports_not_ready_and_closes_its_sockets_with_1001_without_touching_the_desktop()
    {
        var gateway = await system.StartGatewayAsync("--Drain:ReadinessDelay=00:00:02", "--Drain:SocketTimeout=00:00:05");
        var url = new Uri(gateway.Urls.First());
        var (scenario, client, vm, user) = await ClientInVmAsync(url);
        await using var _ = scenario;
        await using var __ = client;
        using var http = new HttpClient { BaseAddress = url };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

        var stopping = gateway.StopAsync(); // what systemd's SIGTERM does
        try
        {
            // during the readiness delay: not ready for the load balancer, new logins and sockets sent elsewhere, the socket still open
            Assert.True(await Eventually.TrueAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == System.Net.HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(2)), "a stopping gateway still said it was ready");
            var login = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "/api/auth/", new { username = scenario.Users[0].Name, password = ThinClientScenario.Password });
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, login.StatusCode);
            Assert.NotNull(login.Headers.RetryAfter);
            Assert.Contains("Try again", await login.Content.ReadAsStringAsync());

            Assert.True(await client.SocketClosedWithinAsync(TimeSpan.FromSeconds(10)), "the stopping gateway did not close the thin client's socket");
            Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus); // 1001: VeiL Connect reconnects
        }
        finally
        {
            await stopping;
            await gateway.DisposeAsync();
        }

        Assert.True(await SessionsClosedAsync(user, 1), "the drained socket's session did not end");
        Assert.Equal("SOCKET_CLOSED", await TestDb.ScalarAsync<string>("select close_reason from vdi_tk_sessions where user_id = @u", ("u", user)));

        // VeiL Connect's reconnect, through the balancer to the other gateway: the same token, then its statistics
        await using var again = new VeilConnectClient(Gateway(0));
        await again.LoginWithTokenAsync(client.Token!);
        await again.ConnectAsync();
        await again.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        await again.SendNetworkStatsAsync(vm);
        Assert.True(await Eventually.TrueAsync(async () => await system.Grains.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync() is null,
            TimeSpan.FromSeconds(10)), "the client's statistics about its VM did not cancel the pending action");
        Assert.Equal(0, await ReminderRowsAsync(vm));
        Assert.Equal(3, await PowerAsync(scenario, vm));
        Assert.Equal(0, await JournalAsync(vm, "Action upon user disconnect completed.%"));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await GatewayClients.Http(Gateway(0), client.Token).GetAsync("/api/client/pools/")).StatusCode); // no re-login
    }

    [Fact]
    public async Task A_close_frame_followed_by_a_dropped_connection_is_always_the_clients_close()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (user, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(name, ThinClientScenario.Password);
        const int rounds = 10;
        for (var i = 0; i < rounds; i++)
        {
            await client.ReconnectAsync();
            await client.CloseSocketAndDropAsync();
        }

        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_sessions where user_id = @u and disconnected is not null", ("u", user)) == rounds, TimeSpan.FromSeconds(20)));
        var reasons = await TestDb.ScalarsAsync<string>("select close_reason from vdi_tk_sessions where user_id = @u", ("u", user));
        Assert.All(reasons, r => Assert.Equal("CLIENT_CLOSED", r));
    }

    [Fact]
    public async Task An_open_socket_is_closed_with_4001_within_20_s_when_its_token_is_replaced_or_its_user_deactivated()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 2);
        var (_, replacedName) = scenario.Users[0];
        var (deactivatedId, deactivatedName) = scenario.Users[1];
        await using var replaced = new VeilConnectClient(Gateway(0));
        await using var deactivated = new VeilConnectClient(Gateway(1));
        await replaced.LoginAsync(replacedName, ThinClientScenario.Password);
        await deactivated.LoginAsync(deactivatedName, ThinClientScenario.Password);
        await replaced.ConnectAsync();
        await deactivated.ConnectAsync();
        await replaced.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        await deactivated.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        await using var elsewhere = new VeilConnectClient(Gateway(1));
        await elsewhere.LoginAsync(replacedName, ThinClientScenario.Password); // a newer login replaces the token
        await system.Grains.GetGrain<IUserGrain>(deactivatedId).UpdateAsync(new UserChanges { IsActive = false }, "admin");
        var changed = DateTime.UtcNow;

        Assert.True(await replaced.SocketClosedWithinAsync(TimeSpan.FromSeconds(25)), "the replaced token's socket stayed open");
        Assert.True(await deactivated.SocketClosedWithinAsync(TimeSpan.FromSeconds(25)), "the deactivated user's socket stayed open");
        Assert.True(DateTime.UtcNow - changed < TimeSpan.FromSeconds(21), $"closed after {(DateTime.UtcNow - changed).TotalSeconds:0} s");
        Assert.Equal((WebSocketCloseStatus)4001, replaced.CloseStatus);
        Assert.Equal((WebSocketCloseStatus)4001, deactivated.CloseStatus);
        Assert.Contains(replaced.Received, m => m.GetProperty("error").GetBoolean() && m.GetProperty("msg").GetString()!.Contains("no longer valid"));
        Assert.True(await Eventually.TrueAsync(async () => "TOKEN_REVOKED" == await TestDb.ScalarAsync<string>(
            "select close_reason from vdi_tk_sessions where user_id = @u and disconnected is not null", ("u", deactivatedId)), TimeSpan.FromSeconds(10)),
            "the session's record does not say why it ended");
    }
}
