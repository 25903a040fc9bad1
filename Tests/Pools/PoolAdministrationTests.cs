using System.Net.Http.Json;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Pools;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Pools;

/// <summary>
/// Issue 18, the administrator's pool operations that had no test: copy, clear errors, prepare, adding and removing
/// VMs of static and automated pools, removing entitlements, and a VM renamed in the controller's own UI.
/// </summary>
[Collection(ControllerCollection.Name)]
public sealed class PoolAdministrationTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task A_pool_is_copied_its_errors_cleared_and_its_vms_prepared_again()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 1, total: 3) with { StartVms = false, KeepVmsOn = true }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));

        // copy: the same settings under a new name, made by its own creation task
        var copyName = PoolKit.NewName();
        var copy = await pool.CopyAsync(Guid.NewGuid(), copyName, "admin");
        Assert.Equal((copyName, 3, true, view.TemplateId), (copy.VerboseName, copy.TotalSize, copy.KeepVmsOn, copy.TemplateId));
        Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(copy.Id, "POOL_CREATE"))).Status);
        Assert.Equal(1, (await fixture.Client.GetGrain<IPoolGrain>(copy.Id).GetAsync())!.VmCount);
        Assert.Equal("verbose_name", (await Assert.ThrowsAsync<BrokerException>(() => pool.CopyAsync(Guid.NewGuid(), copyName, "admin"))).Field);

        // clear: a failed pool is active again, journalled
        await fixture.Client.GetGrain<IPoolInternalGrain>(view.Id).SetStatusAsync(PoolStatus.Failed, "controller is FAILED");
        Assert.Equal(PoolStatus.Active, (await pool.ClearAsync("admin")).Status);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @p and message like '%errors cleared.'", ("p", view.Id)));

        // prepare: a VM whose remote access was turned off on the controller gets it back
        var vm = (await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p", ("p", view.Id))).Single();
        await kit.Sim.Http.PostAsJsonAsync($"/api/domains/{vm}/remote-access/", new { remote_access = false });
        Assert.True(await Eventually.TrueAsync(async () => !(await kit.Sim.GetDomainAsync(vm)).GetProperty("remote_access").GetBoolean(), TimeSpan.FromSeconds(10)));
        var prepare = await kit.WaitForTaskAsync((await pool.PrepareAsync("admin")).Id);
        Assert.Equal((BrokerTaskType.PoolPrepare, BrokerTaskStatus.Finished), (prepare.Type, prepare.Status));
        Assert.True((await kit.Sim.GetDomainAsync(vm)).GetProperty("remote_access").GetBoolean());
    }

    [Fact]
    public async Task Vms_are_added_to_and_removed_from_static_and_automated_pools()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var (office2, office3) = (await kit.Sim.DomainIdAsync("office-2"), await kit.Sim.DomainIdAsync("office-3"));
        var manual = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        await manual.CreateAsync(PoolType.Static, new PoolSettings
        {
            VerboseName = PoolKit.NewName(), ControllerId = kit.ControllerId, ResourcePoolId = kit.ResourcePool, VmIds = [office2],
        }, "admin");
        Assert.Equal(2, (await manual.AddVmsAsync([office3], "admin")).VmCount);
        Assert.Equal(manual.GetPrimaryKey(), (await fixture.Client.GetGrain<IVmGrain>(office3).GetAsync())!.PoolId);

        // a static pool's VM leaves the pool and stays on the controller
        Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync((await manual.RemoveVmsAsync([office3], "admin")).Id)).Status);
        Assert.Equal(1, (await manual.GetAsync())!.VmCount);
        Assert.Null(await fixture.Client.GetGrain<IVmGrain>(office3).GetAsync());
        Assert.Equal("office-3", (await kit.Sim.GetDomainAsync(office3)).GetProperty("verbose_name").GetString());
        Assert.Equal("vms", (await Assert.ThrowsAsync<BrokerException>(() => manual.RemoveVmsAsync([], "admin"))).Field);

        // an automated pool's VMs are its clones: added only by expansion, removed from the controller too
        var automated = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await automated.CreateAsync(PoolType.Automated, kit.Automated(initial: 2, total: 2) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        Assert.Equal("vms", (await Assert.ThrowsAsync<BrokerException>(() => automated.AddVmsAsync([office3], "admin"))).Field);
        var clone = (await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p order by verbose_name", ("p", view.Id)))[0];
        Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync((await automated.RemoveVmsAsync([clone], "admin")).Id)).Status);
        Assert.Equal(1, (await automated.GetAsync())!.VmCount);
        Assert.Single(await kit.DomainsNamedAsync(view.VmNameTemplate!));
    }

    [Fact]
    public async Task Removing_entitlements_takes_the_pool_away_from_users_and_group_members()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        await pool.CreateAsync(PoolType.Static, new PoolSettings
        {
            VerboseName = PoolKit.NewName(), ControllerId = kit.ControllerId, ResourcePoolId = kit.ResourcePool, VmIds = [await kit.Sim.DomainIdAsync("office-1")],
        }, "admin");
        var (direct, member) = (await kit.NewUserAsync(), await kit.NewUserAsync());
        var group = fixture.Client.GetGrain<IGroupGrain>(Guid.NewGuid());
        var made = await group.CreateAsync($"g-{Guid.NewGuid():N}"[..20], "", "admin");
        await group.AddMembersAsync([member], "admin");

        await pool.EntitleAsync([direct], [made.Id], "admin");
        Assert.True(await pool.IsEntitledAsync(direct));
        Assert.True(await pool.IsEntitledAsync(member));

        await pool.UnentitleAsync([direct], [], "admin");
        Assert.False(await pool.IsEntitledAsync(direct));
        Assert.True(await pool.IsEntitledAsync(member)); // the group still is
        await pool.UnentitleAsync([], [made.Id], "admin");
        Assert.False(await pool.IsEntitledAsync(member));
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_pool_entitlements where pool_id = @p", ("p", pool.GetPrimaryKey())));
    }

    [Fact]
    public async Task A_vm_renamed_on_the_controller_is_renamed_in_the_broker_from_the_event_stream()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 1, total: 1) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var vm = (await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p", ("p", view.Id))).Single();

        var name = $"renamed{Guid.NewGuid():N}"[..14];
        Assert.True((await kit.Sim.Http.PostAsJsonAsync($"/sim/domains/{vm}/rename", new { verbose_name = name })).IsSuccessStatusCode);
        Assert.True(await Eventually.TrueAsync(async () => (await fixture.Client.GetGrain<IVmGrain>(vm).GetAsync())!.VerboseName == name, TimeSpan.FromSeconds(10)),
            "the VM grain did not follow the controller's rename");
        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<string>("select verbose_name from vdi_vms where id = @v", ("v", vm)) == name,
            TimeSpan.FromSeconds(10)), "the admin list did not follow the rename");
    }

    [Fact]
    public async Task A_new_template_recreates_the_vms_nobody_is_in_and_leaves_the_one_in_use()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 3, total: 4, reserve: 1) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var before = await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p order by verbose_name", ("p", view.Id));
        Assert.Equal(3, before.Count);

        // the client's evidence that someone is in the first VM: an open session reporting a connection to it
        var (session, user) = (Guid.NewGuid(), await kit.NewUserAsync());
        await TestDb.ExecuteAsync($"""
            insert into vdi_tk_sessions (id, user_id, username, veil_connect_version, tk_ip, tk_os, mac_address, hostname, gateway, connected, data_received)
            values ('{session}', '{user}', 'in-vm', '1.14.9', '127.0.0.1', 'Linux', '', '', 'tests', now(), now());
            insert into vdi_tk_vm_connections (id, session_id, vm_id, successful, connection_type, is_connection_secure, connected_to_vm)
            values ('{Guid.NewGuid()}', '{session}', '{before[0]}', true, 'SPICE', false, now());
            """);

        var windows = await kit.Sim.DomainIdAsync("tpl-win10");
        Assert.Equal("template_id", (await Assert.ThrowsAsync<BrokerException>(() => pool.ChangeTemplateAsync(Guid.Empty, "admin"))).Field);
        TaskView task;
        try
        {
            task = await kit.WaitForTaskAsync((await pool.ChangeTemplateAsync(windows, "admin")).Id);
        }
        finally
        {
            await TestDb.ExecuteAsync($"update vdi_tk_sessions set disconnected = now() where id = '{session}'"); // no open session is left to other tests
        }

        Assert.Equal(BrokerTaskStatus.Finished, task.Status);
        Assert.Equal("Template changed; 2 VMs recreated from it; 1 in use or reserved stay on the old one until the task runs again.", task.Message);
        Assert.Equal(windows, (await pool.GetAsync())!.TemplateId);

        var after = await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p", ("p", view.Id));
        Assert.Equal(3, after.Count);
        Assert.Contains(before[0], after); // the VM in use is untouched
        Assert.DoesNotContain(before[1], after);
        foreach (var id in after.Where(id => id != before[0]))
        {
            Assert.Equal(windows, (await kit.Sim.GetDomainAsync(id)).GetProperty("parent").GetProperty("id").GetGuid());
        }

        // once the user has left, running it again recreates that one too; a VM is not a template
        var again = await kit.WaitForTaskAsync((await pool.ChangeTemplateAsync(windows, "admin")).Id);
        Assert.Equal("Template changed; 1 VMs recreated from it.", again.Message);
        var office = await kit.Sim.DomainIdAsync("office-1");
        Assert.Equal(BrokerTaskStatus.Failed, (await kit.WaitForTaskAsync((await pool.ChangeTemplateAsync(office, "admin")).Id)).Status);
    }

    [Fact]
    public async Task A_pool_of_full_clones_makes_full_copies_of_its_template()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 2, total: 2) with { StartVms = false, CreateThinClones = false }, "admin");
        Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"))).Status);
        var domains = await kit.DomainsNamedAsync(view.VmNameTemplate!);
        Assert.Equal(2, domains.Count);
        Assert.All(domains, d => Assert.False(d.GetProperty("thin").GetBoolean()));
        Assert.Equal(2, (await pool.GetAsync())!.VmCount);
    }
}
