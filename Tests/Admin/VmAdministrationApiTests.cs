using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 18, one VM from the admin API: its controller console (remote access turned on for it), preparation on
/// demand, the guest utilities' ISO (only while off) and a golden image made of it (a full copy turned template;
/// never of a running VM or a thin clone). Administrators only.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class VmAdministrationApiTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public async Task An_administrator_opens_the_console_prepares_attaches_the_iso_and_makes_a_template()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 0);
        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        var clone = (await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p", ("p", scenario.PoolId))).Single();

        // the console: the controller's spice page for the VM, its remote access turned on for it
        await scenario.Sim.Http.PostAsJsonAsync($"/api/domains/{clone}/remote-access/", new { remote_access = false });
        Assert.True(await Eventually.TrueAsync(async () => !(await scenario.Sim.GetDomainAsync(clone)).GetProperty("remote_access").GetBoolean(), TimeSpan.FromSeconds(10)));
        var console = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/vms/{clone}/console");
        var url = new Uri(console.GetProperty("url").GetString()!);
        Assert.Equal((new Uri(scenario.Sim.Address).Authority, "/spice-html5/spice_auto.html"), (url.Authority, url.AbsolutePath));
        Assert.Contains("token=", url.Query);
        Assert.True((await scenario.Sim.GetDomainAsync(clone)).GetProperty("remote_access").GetBoolean());

        // preparation on demand is a VM_PREPARE task
        var prepare = await admin.PostAsync($"/api/admin/vms/{clone}/prepare", null);
        Assert.Equal(HttpStatusCode.Accepted, prepare.StatusCode);
        var task = (await prepare.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/tasks/{task}")).GetProperty("status").GetString() == "FINISHED", TimeSpan.FromSeconds(30)));

        // the ISO only while off
        await scenario.Sim.SetPowerAsync(clone, "on");
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/admin/vms/{clone}/attach-guest-utils", null)).StatusCode);
        await scenario.Sim.SetPowerAsync(clone, "off");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/vms/{clone}/attach-guest-utils", null)).StatusCode);
        Assert.True((await scenario.Sim.Http.GetFromJsonAsync<JsonElement>($"/sim/domains/{clone}")).GetProperty("sim_guest_utils_iso").GetBoolean());

        // no template of a thin clone; a static pool's full VM becomes one (a copy: the VM stays a VM)
        var thin = await admin.PostAsJsonAsync($"/api/admin/vms/{clone}/convert-to-template", new { verbose_name = "golden-1" });
        Assert.Equal(HttpStatusCode.BadRequest, thin.StatusCode);
        Assert.Contains("thin clone", await thin.Content.ReadAsStringAsync());
        var office = await scenario.Sim.DomainIdAsync("office-2");
        var desktops = (await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).GetAsync())!;
        await system.Grains.GetGrain<IPoolGrain>(Guid.NewGuid()).CreateAsync(PoolType.Static, new PoolSettings
        {
            VerboseName = $"st-{Guid.NewGuid():N}"[..12], ControllerId = desktops.ControllerId, ResourcePoolId = desktops.ResourcePoolId, VmIds = [office],
        }, "tests");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/admin/vms/{office}/convert-to-template", new { verbose_name = "1 bad name" })).StatusCode);
        var made = await admin.PostAsJsonAsync($"/api/admin/vms/{office}/convert-to-template", new { verbose_name = "golden-1" });
        Assert.Equal(HttpStatusCode.OK, made.StatusCode);
        var template = await scenario.Sim.GetDomainAsync((await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("template_id").GetGuid());
        Assert.Equal(("golden-1", true, false), (template.GetProperty("verbose_name").GetString(), template.GetProperty("template").GetBoolean(), template.GetProperty("thin").GetBoolean()));
        Assert.False((await scenario.Sim.GetDomainAsync(office)).GetProperty("template").GetBoolean());

        // backups: not of a thin clone; a full VM's is listed and restored as a new VM of the same pool
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"/api/admin/vms/{clone}/backups", null)).StatusCode);
        var backedUp = await admin.PostAsync($"/api/admin/vms/{office}/backups", null);
        Assert.Equal(HttpStatusCode.Created, backedUp.StatusCode);
        var files = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/vms/{office}/backups");
        var file = Assert.Single(files.EnumerateArray());
        Assert.StartsWith("office-2_", file.GetProperty("file_name").GetString());
        var restored = await admin.PostAsync($"/api/admin/vms/{office}/backups/{file.GetProperty("id").GetGuid()}/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var restoredVm = (await restored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("vm_id").GetGuid();
        Assert.Equal("office-2-restored", (await scenario.Sim.GetDomainAsync(restoredVm)).GetProperty("verbose_name").GetString());
        Assert.Equal(await TestDb.ScalarAsync<Guid>("select pool_id from vdi_vms where id = @v", ("v", office)),
            await TestDb.ScalarAsync<Guid>("select pool_id from vdi_vms where id = @v", ("v", restoredVm)));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/vms/{office}/backups/{Guid.NewGuid()}/restore", null)).StatusCode);

        // administrators only
        var (_, _, operatorToken) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.Operator);
        using var op = GatewayClients.Http(Gateway, operatorToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync($"/api/admin/vms/{clone}/console")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsync($"/api/admin/vms/{clone}/attach-guest-utils", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsJsonAsync($"/api/admin/vms/{office}/convert-to-template", new { verbose_name = "golden-2" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsync($"/api/admin/vms/{office}/backups", null)).StatusCode);
    }
}
