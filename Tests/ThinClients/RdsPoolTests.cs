using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// Issue 18, RDS (application) pools: a pool of shared RDS hosts; VeiL Connect gets RDP to the next host of a
/// round-robin and the published applications the host's guest agent reports, as <c>farm_list</c>; no host is ever
/// assigned to a user.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class RdsPoolTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public async Task Users_get_the_hosts_round_robin_with_their_published_applications_and_no_host_is_assigned()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var controller = await system.Grains.GetGrain<IControllerGrain>(Guid.NewGuid())
            .AddAsync(new ControllerRegistration($"rds-{Guid.NewGuid():N}"[..12], sim.Address, sim.Token, "", "tests"));
        var apps = (await system.Grains.GetGrain<IControllerGrain>(controller.Id).ListResourcesAsync(ResourceKind.ResourcePools)).Single(r => r.VerboseName == "rp-apps").Id;
        var (rds1, rds2, office) = (await sim.DomainIdAsync("rds-1"), await sim.DomainIdAsync("rds-2"), await sim.DomainIdAsync("office-1"));
        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        object Body(object? connectionTypes = null, string? action = null) => new
        {
            pool_type = "RDS",
            verbose_name = $"apps-{Guid.NewGuid():N}"[..12],
            controller_id = controller.Id,
            resource_pool_id = apps,
            vms = new[] { rds1, rds2 },
            connection_types = connectionTypes,
            vm_action_upon_user_disconnect = action,
        };

        // the original's rules: RDP and NATIVE_RDP only, nothing done after a disconnect
        foreach (var (body, field) in new[] { (Body(new[] { "SPICE" }), "connection_types"), (Body(action: "SHUTDOWN"), "vm_action_upon_user_disconnect") })
        {
            var refused = await admin.PostAsJsonAsync("/api/admin/pools/", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(field, await refused.Content.ReadAsStringAsync());
        }

        var created = await admin.PostAsJsonAsync("/api/admin/pools/", Body());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pool = await created.Content.ReadFromJsonAsync<JsonElement>();
        var poolId = pool.GetProperty("id").GetGuid();
        Assert.Equal(("RDS", "ACTIVE", "NONE"), (pool.GetProperty("pool_type").GetString(), pool.GetProperty("status").GetString(),
            pool.GetProperty("vm_action_upon_user_disconnect").GetString()));
        Assert.Equal(["RDP"], pool.GetProperty("connection_types").EnumerateArray().Select(c => c.GetString()));

        var users = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var name = $"rds-{Guid.NewGuid():N}"[..16];
            var made = await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, ThinClientScenario.Password, false, [], "tests"));
            await system.Grains.GetGrain<IPoolGrain>(poolId).EntitleAsync([made.Id], [], "tests");
            users.Add(name);
        }

        await using var a = new VeilConnectClient(Gateway);
        await a.LoginAsync(users[0], ThinClientScenario.Password);
        await using var b = new VeilConnectClient(Gateway);
        await b.LoginAsync(users[1], ThinClientScenario.Password);
        var served = new List<Guid>();
        foreach (var client in new[] { a, b, a, b })
        {
            var (status, body) = await client.GetVmAsync(poolId, "RDP");
            Assert.Equal(200, status);
            var data = body.GetProperty("data");
            Assert.Equal(("RDS", 3389), (data.GetProperty("pool_type").GetString(), data.GetProperty("port").GetInt32()));
            var farms = data.GetProperty("farm_list");
            Assert.Equal(["Office", "Accounting"], farms.EnumerateArray().Select(f => f.GetProperty("farm_alias").GetString()));
            var word = farms[0].GetProperty("app_array")[0];
            Assert.Equal(("Word", "word"), (word.GetProperty("app_name").GetString(), word.GetProperty("app_alias").GetString()));
            Assert.False(string.IsNullOrEmpty(word.GetProperty("icon").GetString()));
            served.Add(data.GetProperty("vm_id").GetGuid());
        }

        // round-robin: each request one host further, whoever asks; the host that was off was started for it
        Assert.Equal(2, served.Distinct().Count());
        Assert.Equal(served[0], served[2]);
        Assert.Equal(served[1], served[3]);
        Assert.Equal(3, (await sim.Http.GetFromJsonAsync<JsonElement>($"/api/domains/{rds2}/")).GetProperty("user_power_state").GetInt32());
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vm_owners where pool_id = @p", ("p", poolId)));

        // a protocol the pool does not offer is the original's 404; an administrator cannot assign a shared host
        Assert.Equal(404, (await a.GetVmAsync(poolId, "SPICE")).Status);
        var assign = await admin.PostAsJsonAsync($"/api/admin/vms/{rds1}/assign", new { username = users[0] });
        Assert.Equal(HttpStatusCode.BadRequest, assign.StatusCode);
        Assert.Contains("shared", await assign.Content.ReadAsStringAsync());

        // a host whose agent cannot list applications (no RDS role): the user is told why, in the original's words
        var added = await admin.PostAsJsonAsync($"/api/admin/pools/{poolId}/vms", new { vms = new[] { office } });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var messages = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (_, body) = await a.GetVmAsync(poolId, "RDP");
            if (body.TryGetProperty("errors", out var errors))
            {
                messages.Add(errors[0].GetProperty("message").GetString()!);
            }
        }

        var message = Assert.Single(messages);
        Assert.StartsWith("Unable to get list of published applications. Get-RDRemoteApp", message);
    }
}
