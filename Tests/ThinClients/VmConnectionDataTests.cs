using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// Issue 18, connections: an administrator's per-VM override of where thin clients connect for a protocol (the
/// original's <c>vm_connection_data</c>, for NAT and DMZ setups) is what get-VM answers while it is active; and the
/// guest's time zone follows the client's, converted between Windows and IANA names.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class VmConnectionDataTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public async Task An_active_override_replaces_the_host_and_port_of_its_protocol_only()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1, protocols: [ConnectionType.Spice, ConnectionType.Rdp]);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var before = (await client.GetVmAsync(scenario.PoolId, "RDP")).Body.GetProperty("data");
        var vm = before.GetProperty("vm_id").GetGuid();
        Assert.Equal(3389, before.GetProperty("port").GetInt32());

        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        var put = await admin.PutAsJsonAsync($"/api/admin/vms/{vm}/connection-data/rdp", new { address = "rdp.dmz.example.org", port = 13389 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var list = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("RDP", "rdp.dmz.example.org", 13389, true), (list[0].GetProperty("connection_type").GetString(), list[0].GetProperty("address").GetString(),
            list[0].GetProperty("port").GetInt32(), list[0].GetProperty("active").GetBoolean()));

        var rdp = (await client.GetVmAsync(scenario.PoolId, "RDP")).Body.GetProperty("data");
        Assert.Equal(("rdp.dmz.example.org", 13389, vm), (rdp.GetProperty("host").GetString(), rdp.GetProperty("port").GetInt32(), rdp.GetProperty("vm_id").GetGuid()));
        var spice = (await client.GetVmAsync(scenario.PoolId, "SPICE")).Body.GetProperty("data");
        Assert.Equal("127.0.0.1", spice.GetProperty("host").GetString()); // the other protocol as the controller says

        // an address without a port keeps the protocol's; an inactive one is kept and not used
        await admin.PutAsJsonAsync($"/api/admin/vms/{vm}/connection-data/SPICE", new { address = "203.0.113.7" });
        spice = (await client.GetVmAsync(scenario.PoolId, "SPICE")).Body.GetProperty("data");
        Assert.Equal("203.0.113.7", spice.GetProperty("host").GetString());
        Assert.True(spice.GetProperty("port").GetInt32() >= 5900);
        await admin.PutAsJsonAsync($"/api/admin/vms/{vm}/connection-data/RDP", new { address = "rdp.dmz.example.org", port = 13389, active = false });
        Assert.Equal(3389, (await client.GetVmAsync(scenario.PoolId, "RDP")).Body.GetProperty("data").GetProperty("port").GetInt32());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/vms/{vm}/connection-data")).GetArrayLength());

        // removed: the controller's again; journalled with who did it
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/admin/vms/{vm}/connection-data/spice")).StatusCode);
        Assert.Equal("127.0.0.1", (await client.GetVmAsync(scenario.PoolId, "SPICE")).Body.GetProperty("data").GetProperty("host").GetString());
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @v and message like '%RDP connections go to rdp.dmz.example.org:13389.' and username = @u",
            ("v", vm), ("u", system.AdminUsername)));

        // bounded and typed: 400 naming the field; unknown VM 404; an operator may not
        foreach (var (protocol, body, field) in new (string, object, string)[]
                 {
                     ("RDP", new { address = "no spaces allowed" }, "address"),
                     ("RDP", new { address = new string('a', 129) }, "address"),
                     ("RDP", new { address = "10.0.0.1", port = 70000 }, "port"),
                     ("X2GO", new { address = "10.0.0.1" }, "connection_type"),
                 })
        {
            var refused = await admin.PutAsJsonAsync($"/api/admin/vms/{vm}/connection-data/{protocol}", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(field, await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/admin/vms/{Guid.NewGuid()}/connection-data")).StatusCode);
        var (_, _, operatorToken) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.Operator);
        using var op = GatewayClients.Http(Gateway, operatorToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PutAsJsonAsync($"/api/admin/vms/{vm}/connection-data/RDP", new { address = "10.0.0.1" })).StatusCode);
    }

    [Fact]
    public async Task The_guests_time_zone_follows_the_clients_in_the_guests_own_naming()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control"); // the socket is the user's before the get-VM

        // the scenario's guests are Windows (cloned from tpl-win10); VeiL Connect on Linux names the zone as IANA does:
        // tzutil gets the Windows name
        var (status, body) = await client.PostAsync($"/api/client/pools/{scenario.PoolId}", new { remote_protocol = "SPICE", request_id = 7, time_zone = "Europe/Moscow", os = "Linux" });
        Assert.Equal(200, status);
        var vm = body.GetProperty("data").GetProperty("vm_id").GetGuid();
        Assert.Equal("Windows", (await scenario.Sim.GetDomainAsync(vm)).GetProperty("os_type").GetString());
        await client.WaitForAsync(m => m.TryGetProperty("event", out var e) && e.GetString() == "vm_preparation_progress" && m.GetProperty("progress").GetInt32() == 40
                                       && m.GetProperty("request_id").GetInt64() == 7);
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Sim.GetDomainAsync(vm)).GetProperty("sim_guest_time_zone").GetString() == "Russian Standard Time",
            TimeSpan.FromSeconds(20)));

        // a Windows client's name goes as it is; a name that is no time zone changes nothing, and the user still gets the VM
        await client.PostAsync($"/api/client/pools/{scenario.PoolId}", new { remote_protocol = "SPICE", request_id = 8, time_zone = "Ekaterinburg Standard Time", os = "Windows" });
        Assert.True(await Eventually.TrueAsync(async () => (await scenario.Sim.GetDomainAsync(vm)).GetProperty("sim_guest_time_zone").GetString() == "Ekaterinburg Standard Time",
            TimeSpan.FromSeconds(20)));
        var (hostile, answer) = await client.PostAsync($"/api/client/pools/{scenario.PoolId}", new { remote_protocol = "SPICE", request_id = 9, time_zone = "UTC; shutdown /s", os = "Windows" });
        Assert.Equal((200, vm), (hostile, answer.GetProperty("data").GetProperty("vm_id").GetGuid()));
    }
}

/// <summary>The guest's time-zone command: each system's own program and naming, and nothing for a name that is no zone.</summary>
public sealed class GuestTimeZoneTests
{
    [Theory]
    [InlineData("Russian Standard Time", "Linux", "timedatectl", "Europe/Moscow")]
    [InlineData("Europe/Moscow", "Linux", "timedatectl", "Europe/Moscow")]
    [InlineData("Europe/Moscow", "Windows", "tzutil.exe", "Russian Standard Time")]
    [InlineData("Russian Standard Time", "Windows", "tzutil.exe", "Russian Standard Time")]
    [InlineData("Asia/Novosibirsk", null, "timedatectl", "Asia/Novosibirsk")]
    public void A_zone_becomes_the_guests_command(string zone, string? guest, string program, string name)
    {
        var command = Vdi.Grains.Vms.GuestTimeZone.Command(zone, guest);
        Assert.NotNull(command);
        Assert.Equal((program, name), (command.Path, command.Zone));
        Assert.Equal(name, command.Arguments[^1]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("UTC; reboot")]
    [InlineData("$(rm -rf /)")]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("Europe/Moscow\nreboot")]
    public void A_name_that_is_no_zone_is_no_command(string? zone)
    {
        Assert.Null(Vdi.Grains.Vms.GuestTimeZone.Command(zone, "Linux"));
        Assert.Null(Vdi.Grains.Vms.GuestTimeZone.Command(zone, "Windows"));
    }
}
