using Vdi.Grains.Interfaces.Controllers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using OtpNet;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>VeiL Connect's sequence against the gateway, with the simulator as controller.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class VeilConnectProtocolTests(LiveSystemFixture system)
{
    private Uri Gateway(int i = 0) => system.GatewayUrls[i];

    [Fact]
    public async Task The_whole_client_sequence_works_as_veil_connect_expects()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 1);
        var (userId, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(Gateway());

        var login = await client.LoginAsync(name, ThinClientScenario.Password);
        Assert.Equal(name, login.GetProperty("data").GetProperty("username").GetString());

        Assert.Equal("4.2.0", (await client.GetAsync("/version")).Body.GetProperty("data").GetProperty("version").GetString());
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("msg").GetString() == "Auth success");

        var (_, pools) = await client.GetAsync("/api/client/pools");
        var pool = pools.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("id").GetGuid() == scenario.PoolId);
        Assert.Equal("ACTIVE", pool.GetProperty("status").GetString());
        Assert.Equal(["SPICE", "RDP"], pool.GetProperty("connection_types").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(0, pool.GetProperty("favorite").GetInt32());

        var (status, vm) = await client.GetVmAsync(scenario.PoolId, "SPICE", requestId: 42);
        Assert.Equal(200, status);
        var data = vm.GetProperty("data");
        var vmId = data.GetProperty("vm_id").GetGuid();
        Assert.Equal(JsonValueKind.Number, data.GetProperty("port").ValueKind);
        Assert.True(data.GetProperty("port").GetInt32() >= 5900);
        Assert.Equal("127.0.0.1", data.GetProperty("host").GetString());
        Assert.False(string.IsNullOrEmpty(data.GetProperty("password").GetString()));
        Assert.Equal("AUTOMATED", data.GetProperty("pool_type").GetString());
        Assert.Equal(0, data.GetProperty("farm_list").GetArrayLength());
        Assert.Equal(3, (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("user_power_state").GetInt32());
        await client.WaitForAsync(m => m.TryGetProperty("event", out var e) && e.GetString() == "vm_preparation_progress"
                                       && m.GetProperty("request_id").GetInt64() == 42 && m.GetProperty("progress").GetInt32() == 10);

        Assert.Equal(vmId, (await client.GetVmAsync(scenario.PoolId, "SPICE")).Body.GetProperty("data").GetProperty("vm_id").GetGuid());
        var (_, rdp) = await client.GetVmAsync(scenario.PoolId, "RDP");
        Assert.Equal(3389, rdp.GetProperty("data").GetProperty("port").GetInt32());
        Assert.StartsWith("10.", rdp.GetProperty("data").GetProperty("host").GetString());

        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = vmId, connection_type = "SPICE", is_connection_secure = false });
        // the VM in use: its power changes on the controller reach the client (§8.2 relay)
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control"); // (Auth success, already seen)
        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_vm_connections c join vdi_tk_sessions s on s.id = c.session_id where s.user_id = @u and c.vm_id = @v",
                ("u", userId), ("v", vmId)) == 1, TimeSpan.FromSeconds(10)));
        // journalled as the original does, with the VM's name (issue 14 §5)
        var vmName = (await system.Grains.GetGrain<IVmGrain>(vmId).GetAsync())!.VerboseName;
        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @v and message = @m", ("v", vmId), ("m", $"User {name} connected to VM {vmName}.")) == 1,
            TimeSpan.FromSeconds(10)));
        await scenario.Sim.SetPowerAsync(vmId, "suspended");
        var relayed = await client.WaitForAsync(m => m.TryGetProperty("resource", out var r) && r.GetString() == "/domains/"
                                                     && m.TryGetProperty("id", out var i) && i.GetGuid() == vmId);
        Assert.Equal(2, relayed.GetProperty("object").GetProperty("user_power_state").GetInt32());

        // an entitlement change makes the client refresh its pools
        await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).EntitleAsync([userId], [], "admin");
        await client.WaitForAsync(m => m.TryGetProperty("event", out var e) && e.GetString() == "pool_entitlement_changed");
        Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @p and message like '%entitlements granted.' and description = @d",
            ("p", scenario.PoolId), ("d", $"Users: {name}.")) >= 1); // an auditor reads who, not how many (issue 14 §5)

        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "network_stats", vm_id = vmId, connection_type = "RDP", read_speed = 1000, write_speed = 500, min_rtt = 1, avg_rtt = 2.5, max_rtt = 4, loss_percentage = 0 });
        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<double?>("select avg_rtt from vdi_tk_vm_connections c join vdi_tk_sessions s on s.id = c.session_id where s.user_id = @u and c.vm_id = @v",
                ("u", userId), ("v", vmId)) == 2.5, TimeSpan.FromSeconds(10)));
        await client.SendRawAsync("this is not json");
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control" && m.GetProperty("error").GetBoolean()
                                       && m.GetProperty("msg").GetString()!.StartsWith("Wrong msg format"));
        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_disconnected", vm_id = vmId });
        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_vm_connections c join vdi_tk_sessions s on s.id = c.session_id where s.user_id = @u and c.disconnected_from_vm is not null",
                ("u", userId)) == 1, TimeSpan.FromSeconds(10)));

        Assert.Equal(200, (await client.LogoutAsync()).Status);
        var (after, invalid) = await client.GetAsync("/api/client/pools");
        Assert.Equal(401, after);
        Assert.Equal("Token invalid.", invalid.GetProperty("errors")[0].GetProperty("message").GetString());
        // the login and the logout are in the journal, with where they came from (issue 14 §5)
        Assert.Equal(2L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @u and message in (@in, @out) and client_address = '127.0.0.1'",
            ("u", userId), ("in", $"User {name} has been logged in."), ("out", $"User {name} has been logged out.")));
    }

    [Fact]
    public async Task A_new_login_replaces_the_previous_token_everywhere()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (_, name) = scenario.Users[0];
        await using var first = new VeilConnectClient(Gateway(0));
        await using var second = new VeilConnectClient(Gateway(1));
        await first.LoginAsync(name, ThinClientScenario.Password);
        Assert.Equal(200, (await first.GetAsync("/client/pools")).Status);
        var oldToken = first.Token;

        await second.LoginAsync(name, ThinClientScenario.Password);
        var (status, body) = await first.GetAsync("/client/pools");
        Assert.Equal(401, status);
        Assert.Equal("Token invalid.", body.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(200, (await second.GetAsync("/client/pools")).Status);

        await using var stale = new VeilConnectClient(Gateway(1));
        await stale.ConnectAsync(oldToken);
        var refused = await stale.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        Assert.True(refused.GetProperty("error").GetBoolean());
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(stale.CloseStatus == (WebSocketCloseStatus)4001), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_user_whose_vm_the_controller_lost_gets_another_and_the_lost_one_is_marked_failed()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 1);
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var first = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();

        // gone from the controller behind the broker's back: no event, the broker learns it from a 404
        (await scenario.Sim.Http.DeleteAsync($"/sim/domains/{first}")).EnsureSuccessStatusCode();
        var again = await client.GetVmAsync(scenario.PoolId);

        var second = again.Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        Assert.NotEqual(first, second);
        Assert.Equal(VmStatus.Failed, (await system.Grains.GetGrain<IVmGrain>(first).GetAsync())!.Status);
        Assert.Equal(second, (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid()); // and keeps it
    }

    [Fact]
    public async Task Errors_carry_the_originals_codes_and_say_why_no_vm_can_be_given()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 2, protocols: [ConnectionType.Spice]);
        await using var a = new VeilConnectClient(Gateway());
        await using var b = new VeilConnectClient(Gateway());
        await a.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await b.LoginAsync(scenario.Users[1].Name, ThinClientScenario.Password);

        var (status, rdp) = await a.GetVmAsync(scenario.PoolId, "RDP");
        Assert.Equal(404, status);
        Assert.Equal("The pool doesnt support connection type RDP.", rdp.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal("007", (await a.GetVmAsync(scenario.PoolId, "X2GO")).Body.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal(404, (await a.GetVmAsync(Guid.NewGuid())).Status);

        // a power action by a user without a VM is refused and hands them no VM (a still gets the only one)
        var (noVm, _) = await b.PostAsync($"/api/client/pools/{scenario.PoolId}/start", new { force = false });
        Assert.Equal(404, noVm);
        Assert.True((await a.GetVmAsync(scenario.PoolId)).Body.TryGetProperty("data", out _));
        var (full, none) = await b.GetVmAsync(scenario.PoolId);
        Assert.Equal(200, full);
        var error = none.GetProperty("errors")[0];
        Assert.Equal("003", error.GetProperty("code").GetString());
        Assert.StartsWith("The pool doesn`t have free machines.", error.GetProperty("message").GetString());
        Assert.Contains("full", error.GetProperty("message").GetString());

        // the VM is free again, but the controller fails while making it ready: 004, whether or not the broker has
        // noticed yet that the controller is down
        await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).FreeVmAsync(
            (await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).TakeVmIdAsync(scenario.Users[0].Id))!.Value, scenario.Users[0].Id, "tests");
        await scenario.Sim.SetFaultsAsync(failPaths: ["/spice/"]);
        var (_, unreachable) = await b.GetVmAsync(scenario.PoolId);
        Assert.Equal("004", unreachable.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal("VM is unreachable on ECP VeiL.", unreachable.GetProperty("errors")[0].GetProperty("message").GetString());
        await scenario.Sim.SetFaultsAsync(down: true);
        Assert.Equal("004", (await b.GetVmAsync(scenario.PoolId)).Body.GetProperty("errors")[0].GetProperty("code").GetString());
        await scenario.Sim.SetFaultsAsync();

        await using var old = new VeilConnectClient(Gateway());
        var tooOld = await old.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password, version: "1.14.5");
        Assert.Contains("1.14.6", tooOld.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_power_action_on_a_vm_whose_controller_failed_is_the_originals_004_not_a_500()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        Assert.True((await client.GetVmAsync(scenario.PoolId)).Body.TryGetProperty("data", out _));
        var controller = (await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).GetAsync())!.ControllerId;

        await scenario.Sim.SetFaultsAsync(down: true);
        Assert.True(await Eventually.TrueAsync(async () =>
            (await system.Grains.GetGrain<IControllerGrain>(controller).GetAsync())!.Status == ControllerStatus.Failed, TimeSpan.FromSeconds(30)));
        var (status, body) = await client.PostAsync($"/api/client/pools/{scenario.PoolId}/shutdown", new { force = true });

        Assert.Equal(200, status);
        var error = body.GetProperty("errors")[0];
        Assert.Equal("004", error.GetProperty("code").GetString());
        Assert.Equal("VM is unreachable on ECP VeiL: the controller is FAILED.", error.GetProperty("message").GetString());
        await scenario.Sim.SetFaultsAsync();
    }

    [Fact]
    public async Task Two_factor_authentication_needs_the_current_one_time_password()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (_, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(name, ThinClientScenario.Password);
        var (_, qr) = await client.PostAsync("/client/generate_user_qr_code");
        var secret = qr.GetProperty("data").GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/", qr.GetProperty("data").GetProperty("qr_uri").GetString());
        var (_, enabled) = await client.PostAsync("/client/update_user_data", new { two_factor = true });
        Assert.True(enabled.GetProperty("data").GetProperty("user").GetProperty("two_factor").GetBoolean());

        await using var other = new VeilConnectClient(Gateway(1));
        // issue 14 §3: a missing or wrong code is the wrong password's answer (it never tells that the password was right)
        var without = await other.LoginAsync(name, ThinClientScenario.Password);
        Assert.Equal($"Authentication failed for user: {name}.", without.GetProperty("errors")[0].GetProperty("message").GetString());
        var wrongPassword = await other.LoginAsync(name, "not-the-password", code: "123456");
        Assert.Equal(without.GetProperty("errors")[0].GetProperty("message").GetString(), wrongPassword.GetProperty("errors")[0].GetProperty("message").GetString());
        var wrong = await other.LoginAsync(name, ThinClientScenario.Password, code: "000000");
        Assert.True(wrong.TryGetProperty("errors", out _));
        var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
        var ok = await other.LoginAsync(name, ThinClientScenario.Password, code: code);
        Assert.True(ok.TryGetProperty("data", out _), ok.ToString());

        // issue 14 §3: a code is good once (an observer of it cannot log in with it within its 90 s)
        await using var replay = new VeilConnectClient(Gateway(0));
        var again = await replay.LoginAsync(name, ThinClientScenario.Password, code: code);
        Assert.Equal($"Authentication failed for user: {name}.", again.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Two_users_racing_for_the_last_free_vm_never_get_the_same_one_in_200_rounds()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 2);
        await using var a = new VeilConnectClient(Gateway(0));
        await using var b = new VeilConnectClient(Gateway(1));
        await a.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await b.LoginAsync(scenario.Users[1].Name, ThinClientScenario.Password);
        var pool = system.Grains.GetGrain<IPoolGrain>(scenario.PoolId);

        for (var round = 0; round < 200; round++)
        {
            var replies = await Task.WhenAll(a.GetVmAsync(scenario.PoolId, "RDP"), b.GetVmAsync(scenario.PoolId, "RDP"));
            var winners = Enumerable.Range(0, 2).Where(i => replies[i].Body.TryGetProperty("data", out _)).ToList();
            Assert.Single(winners);
            Assert.Single(replies, r => r.Body.TryGetProperty("errors", out var e) && e[0].GetProperty("code").GetString() == "003");
            var vm = replies[winners[0]].Body.GetProperty("data").GetProperty("vm_id").GetGuid();
            var owner = scenario.Users[winners[0]].Id;
            await pool.FreeVmAsync(vm, owner, "tests");
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    public async Task Preparation_progress_reaches_the_asking_client_whichever_gateway_holds_its_socket(int httpGateway, int socketGateway)
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway(httpGateway), Gateway(socketGateway));
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        Assert.Equal(200, (await client.GetVmAsync(scenario.PoolId, "SPICE", requestId: 77)).Status);
        await client.WaitForAsync(m => m.TryGetProperty("progress", out var p) && p.GetInt32() == 50);
        var progress = client.Received.Where(m => m.TryGetProperty("event", out var e) && e.GetString() == "vm_preparation_progress").ToList();
        // in the order sent: straight into the local socket's one send loop, or through the user's grains, each push
        // awaited until the socket's gateway has queued it
        Assert.Equal([10, 30, 50], progress.Select(m => m.GetProperty("progress").GetInt32()));
        Assert.All(progress, m => Assert.Equal(77, m.GetProperty("request_id").GetInt64()));
        Assert.All(progress, m => Assert.Equal(scenario.Users[0].Id, m.GetProperty("user_id").GetGuid()));
    }

    [Fact]
    public async Task A_message_sent_through_one_gateway_reaches_a_client_on_the_other()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (userId, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(Gateway(0));
        await client.LoginAsync(name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        using var admin = GatewayClients.Http(Gateway(1), await GatewayClients.LoginAsync(Gateway(1), system.AdminUsername, system.AdminPassword));
        var sent = await admin.PostAsJsonAsync("/api/admin/thin-clients/message", new { user_id = userId, message = "Server restarts at 18:00" });
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());

        var text = await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "text_msg");
        Assert.Equal("Server restarts at 18:00", text.GetProperty("message").GetString());
        Assert.Equal("admin_to_user", text.GetProperty("direction").GetString());
        Assert.Equal(system.AdminUsername, text.GetProperty("sender_name").GetString());

        // the DISCONNECT command, seen byte for byte: a control frame, then close code 2000
        await using var raw = new RawWebSocket();
        await raw.ConnectAsync(new Uri($"ws://{Gateway(0).Authority}/ws/client/?token={client.Token}&veil_connect_version={VeilConnectClient.Version}"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (_, auth) = await raw.ReadFrameAsync(timeout.Token);
        Assert.Contains("Auth success", System.Text.Encoding.UTF8.GetString(auth));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await admin.PostAsJsonAsync("/api/admin/thin-clients/disconnect", new { user_id = userId })).StatusCode);
        var frames = new List<(int Opcode, byte[] Payload)>();
        while (frames.Count == 0 || frames[^1].Opcode != 8)
        {
            frames.Add(await raw.ReadFrameAsync(timeout.Token));
        }

        Assert.Contains(frames, f => f.Opcode == 1 && System.Text.Encoding.UTF8.GetString(f.Payload).Contains("\"cmd\":\"DISCONNECT\""));
        Assert.Equal(2000, RawWebSocket.CloseCode(frames[^1].Payload));
        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where user_id = @u and disconnected is null", ("u", userId)) == 0,
            TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_client_that_falls_silent_is_reaped_within_40_seconds()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (userId, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(Gateway(1));
        await client.LoginAsync(name, ThinClientScenario.Password);
        await client.ConnectAndFallSilentAsync();
        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where user_id = @u and disconnected is null", ("u", userId)) == 1,
            TimeSpan.FromSeconds(10)));
        var opened = DateTime.UtcNow;

        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where user_id = @u and disconnected is not null", ("u", userId)) == 1,
            TimeSpan.FromSeconds(45)), "the silent client's session was not closed");
        Assert.True(DateTime.UtcNow - opened < TimeSpan.FromSeconds(40), $"reaped after {(DateTime.UtcNow - opened).TotalSeconds:0} s");
        // the history says why: the gateway's missed pongs or, if the broker's dead-session check came first (a busy
        // machine), that check; both are right for a client that went silent
        Assert.Contains(await TestDb.ScalarAsync<string>(
            "select close_reason from vdi_tk_sessions where user_id = @u", ("u", userId)), new[] { "CONNECTION_LOST", "NO_PONGS", "DEAD_SESSION" });
    }

    [Fact]
    public async Task Vm_data_is_read_without_powering_on_and_usb_devices_reach_the_controller()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (_, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(name, ThinClientScenario.Password);
        var vmId = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();

        await scenario.Sim.SetPowerAsync(vmId, "off");
        var (status, data) = await client.GetAsync($"/api/client/get_vm_data/{vmId}/");
        Assert.Equal(200, status);
        Assert.Equal(1, data.GetProperty("data").GetProperty("user_power_state").GetInt32());
        Assert.Equal("127.0.0.1", data.GetProperty("data").GetProperty("controller_address").GetString());
        Assert.True(data.GetProperty("data").GetProperty("spice_conn").GetProperty("port").GetInt32() >= 5900);
        Assert.Equal(1, (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("user_power_state").GetInt32());
        Assert.Equal(404, (await client.GetAsync($"/api/client/get_vm_data/{Guid.NewGuid()}")).Status);

        // issue 14 §2: USB redirection needs the user's USB_REDIR permission, and a plausible host and port
        var (forbidden, _) = await client.PostAsync($"/api/client/pools/{scenario.PoolId}/attach-usb/", new { host_address = "10.1.2.3", host_port = 17777 });
        Assert.Equal(403, forbidden);
        Assert.Equal(0, (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("usb_devices").GetArrayLength());
        await system.Grains.GetGrain<IUserGrain>(scenario.Users[0].Id).UpdateAsync(new UserChanges { TkPermissions = ["USB_REDIR"] }, "admin");
        Assert.Equal(400, (await client.PostAsync($"/api/client/pools/{scenario.PoolId}/attach-usb/", new { host_address = "10.1.2.3; rm -rf /", host_port = 17777 })).Status);
        Assert.Equal(400, (await client.PostAsync($"/api/client/pools/{scenario.PoolId}/attach-usb/", new { host_address = "10.1.2.3", host_port = 70000 })).Status);

        var (attached, _) = await client.PostAsync($"/api/client/pools/{scenario.PoolId}/attach-usb/", new { host_address = "10.1.2.3", host_port = 17777 });
        Assert.Equal(200, attached);
        Assert.Equal(["10.1.2.3:17777"], (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("usb_devices").EnumerateArray().Select(u => u.GetString()));
        var (bad, why) = await client.PostAsync($"/api/client/pools/{scenario.PoolId}/attach-usb", new { host_port = 17777 });
        Assert.Equal(400, bad);
        Assert.Contains("host_address", why.GetProperty("errors")[0].GetProperty("message").GetString());

        Assert.Equal(200, (await client.PostAsync($"/api/client/pools/{scenario.PoolId}/detach-usb", new { remove_all = true })).Status);
        Assert.Equal(0, (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("usb_devices").GetArrayLength());
    }

    [Fact]
    public async Task Favourites_are_only_for_pools_the_user_may_use()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        Assert.Equal(200, (await client.PostAsync($"/api/client/pools/{scenario.PoolId}/add-pool-to-favorite")).Status);
        var foreign = Guid.NewGuid();
        Assert.Equal(404, (await client.PostAsync($"/api/client/pools/{foreign}/add-pool-to-favorite")).Status);
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_user_favorite_pools where pool_id = @p", ("p", foreign)));
    }

    [Fact]
    public async Task A_client_that_goes_away_while_in_its_vm_triggers_the_pools_action_after_disconnect()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).UpdateAsync(
            new PoolSettings { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown, VmDisconnectActionTimeout = 1 }, "admin");
        var (_, name) = scenario.Users[0];
        var client = new VeilConnectClient(Gateway(1));
        await client.LoginAsync(name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        var vmId = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        Assert.Equal(3, (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("user_power_state").GetInt32());
        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = vmId, connection_type = "SPICE", is_connection_secure = false });
        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_vm_connections where vm_id = @v", ("v", vmId)) == 1, TimeSpan.FromSeconds(10)));

        await client.DisposeAsync(); // the socket closes without a vm_disconnected, and the client does not come back

        // after the grace window (here the dead-session timeout, 20 s) and the pool's 1 s
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Sim.GetDomainAsync(vmId)).GetProperty("user_power_state").GetInt32() == 1,
            TimeSpan.FromSeconds(45)), "the VM was not shut down after its client went away");
    }

    [Fact]
    public async Task Network_statistics_for_the_users_own_vm_mean_the_client_is_in_it_even_without_vm_connected()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway());
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var vmId = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        await client.ConnectAsync(); // auto-connect: the desktop was reached before the socket opened, its vm_connected is lost
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        var stranger = Guid.NewGuid(); // statistics about a VM that is not the user's change nothing
        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "network_stats", vm_id = stranger, connection_type = "SPICE", total = 10 });
        for (var i = 0; i < 3; i++)
        {
            await client.SendEventAsync(new { msg_type = "UPDATED", @event = "network_stats", vm_id = vmId, connection_type = "SPICE", total = 100 + i, avg_rtt = 1.5 });
        }

        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_vm_connections where vm_id = @v and read_speed = 102", ("v", vmId)) == 1,
            TimeSpan.FromSeconds(10)), "the implied connection did not record the statistics");
        Assert.Equal(1L, await TestDb.ScalarAsync<long>( // one connection, opened by the first statistics
            "select count(*) from vdi_tk_vm_connections where vm_id = @v and successful and disconnected_from_vm is null", ("v", vmId)));
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_vm_connections where vm_id = @v", ("v", stranger)));
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @v and description like 'Reported by the client''s network statistics%'", ("v", vmId)));
    }
}
