using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 18, resources across controllers: one list per kind over all the broker's controllers, searched, ordered and
/// paged; counts per kind; one resource's details from its controller; the cache's lifetime as a run-time setting
/// and a "clear cache" action (the original's Caching page).
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class ResourcesApiTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public async Task Resources_are_listed_across_controllers_with_details_counts_and_a_cache_the_administrator_controls()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 0);
        var controller = (await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).GetAsync())!.ControllerId;
        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));

        var offices = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/vms?controller_id={controller}&q=OFFICE&ordering=-verbose_name");
        Assert.Equal(3, offices.GetProperty("count").GetInt32());
        Assert.Equal(["office-3", "office-2", "office-1"], offices.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("verbose_name").GetString()));
        Assert.All(offices.GetProperty("results").EnumerateArray(), r => Assert.Equal(controller, r.GetProperty("controller_id").GetGuid()));
        var second = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/vms?controller_id={controller}&q=office&limit=1&offset=1");
        Assert.Equal(("office-2", 3), (second.GetProperty("results")[0].GetProperty("verbose_name").GetString(), second.GetProperty("count").GetInt32()));

        // one resource in full, from its controller
        var node = (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/nodes?controller_id={controller}")).GetProperty("results")[0];
        var detail = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/nodes/{node.GetProperty("id").GetGuid()}?controller_id={controller}");
        Assert.Equal("127.0.0.1", detail.GetProperty("details").GetProperty("management_ip").GetString());
        var office1 = await scenario.Sim.DomainIdAsync("office-1");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/admin/resources/templates/{office1}?controller_id={controller}")).StatusCode);
        var vm = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/vms/{office1}?controller_id={controller}");
        Assert.False(vm.GetProperty("details").TryGetProperty("graphics_password", out _)); // a secret of the VM's console is no detail

        // counts per kind over every controller
        var counts = (await admin.GetFromJsonAsync<JsonElement>("/api/admin/resources/counts")).GetProperty("counts");
        Assert.True(counts.GetProperty("vms").GetInt32() >= 8, counts.ToString());
        Assert.True(counts.GetProperty("templates").GetInt32() >= 2, counts.ToString());

        // bounded input
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/resources/disks")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/resources/vms?ordering=password")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PatchAsJsonAsync("/api/admin/settings", new { resource_cache_ttl = 3601 })).StatusCode);

        // the cache: kept for the administrator's lifetime, forgotten on demand
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync("/api/admin/settings", new { resource_cache_ttl = 3600 })).StatusCode);
            await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/vms?controller_id={controller}"); // cached now
            (await scenario.Sim.Http.PostAsJsonAsync($"/sim/domains/{office1}/rename", new { verbose_name = "office-renamed" })).EnsureSuccessStatusCode();
            async Task<bool> ListedAsync(string name) => (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/resources/vms?controller_id={controller}&q={name}"))
                .GetProperty("count").GetInt32() == 1;
            Assert.False(await ListedAsync("office-renamed"));
            var cleared = await admin.PostAsync("/api/admin/resources/cache/clear", null);
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
            Assert.True(await ListedAsync("office-renamed"));
        }
        finally
        {
            (await admin.PatchAsJsonAsync("/api/admin/settings", new { resource_cache_ttl = 10 })).EnsureSuccessStatusCode();
        }

        var (_, _, operatorToken) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.Operator);
        using var op = GatewayClients.Http(Gateway, operatorToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("/api/admin/resources/vms")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsync("/api/admin/resources/cache/clear", null)).StatusCode);
    }
}
