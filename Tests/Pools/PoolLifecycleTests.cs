using Vdi.Grains.Pools;
using Vdi.Grains.Controllers;
using Vdi.Grains.Vms;
using System.Net.Http.Json;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Pools;

[Collection(ControllerCollection.Name)]
public sealed class PoolLifecycleTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task An_automated_pool_is_created_prepared_and_active()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var settings = kit.Automated(initial: 3, total: 5) with { SetVmsHostnames = true };
        var created = await pool.CreateAsync(PoolType.Automated, settings, "admin");
        Assert.Equal(PoolStatus.Creating, created.Status);

        var task = await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(created.Id, "POOL_CREATE"));
        Assert.Equal(BrokerTaskStatus.Finished, task.Status);
        var view = (await pool.GetAsync())!;
        Assert.Equal(PoolStatus.Active, view.Status);
        Assert.Equal(3, view.VmCount);
        Assert.Equal("Linux", view.OsType);

        var domains = await kit.DomainsNamedAsync(settings.VmNameTemplate!);
        Assert.Equal(3, domains.Count);
        Assert.All(domains, d =>
        {
            Assert.Equal(3, d.GetProperty("user_power_state").GetInt32());
            Assert.True(d.GetProperty("remote_access").GetBoolean());
            Assert.True(d.GetProperty("thin").GetBoolean());
        });
        Assert.Equal(3L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where pool_id = @p and created_by_broker", ("p", created.Id)));
        Assert.Equal("FINISHED", await TestDb.ScalarAsync<string>("select status from vdi_tasks where id = @t", ("t", task.Id)));

        // the original's pool tag on the controller: named after the pool, on every VM of it
        var tag = await kit.TagNamedAsync(settings.VerboseName!);
        Assert.NotNull(tag);
        Assert.All(domains, d => Assert.Contains(tag.Value, d.GetProperty("tags").EnumerateArray().Select(t => t.GetGuid())));
    }

    [Fact]
    public async Task Lowering_total_size_is_a_pool_decrease_task_that_never_goes_below_the_vms()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var created = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 2, total: 6, reserve: 1) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(created.Id, "POOL_CREATE"));

        var refused = await Assert.ThrowsAsync<BrokerException>(() => pool.UpdateAsync(new PoolSettings { TotalSize = 1 }, "admin"));
        Assert.Equal("total_size", refused.Field); // at once: the pool has 2 VMs

        var updated = await pool.UpdateAsync(new PoolSettings { TotalSize = 3, KeepVmsOn = true }, "admin");
        Assert.True(updated.KeepVmsOn); // the rest of the update is done at once
        var task = await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(created.Id, "POOL_DECREASE"));
        Assert.Equal((BrokerTaskStatus.Finished, "total_size is now 3."), (task.Status, task.Message));
        Assert.Equal(3, (await pool.GetAsync())!.TotalSize);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @p and message like '%total size decreased to 3.'", ("p", created.Id)));

        // a larger total_size is no task
        await pool.UpdateAsync(new PoolSettings { TotalSize = 5 }, "admin");
        Assert.Equal(5, (await pool.GetAsync())!.TotalSize);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tasks where pool_id = @p and task_type = 'POOL_DECREASE'", ("p", created.Id)));
    }

    [Fact]
    public async Task A_static_pool_takes_existing_vms_and_enables_their_remote_access()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var vms = new[] { await kit.Sim.DomainIdAsync("office-2"), await kit.Sim.DomainIdAsync("office-3") };
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Static, new PoolSettings
        {
            VerboseName = PoolKit.NewName(),
            ControllerId = kit.ControllerId,
            ResourcePoolId = kit.ResourcePool,
            VmIds = vms,
            ConnectionTypes = [ConnectionType.Spice, ConnectionType.Rdp],
        }, "admin");
        Assert.Equal(PoolStatus.Active, view.Status);
        Assert.Equal(2, view.VmCount);
        var tag = await kit.TagNamedAsync(view.VerboseName);
        Assert.NotNull(tag);
        foreach (var id in vms)
        {
            Assert.Contains(tag.Value, (await kit.Sim.GetDomainAsync(id)).GetProperty("tags").EnumerateArray().Select(t => t.GetGuid()));
        }

        // renamed with the pool
        var renamed = PoolKit.NewName();
        await pool.UpdateAsync(new PoolSettings { VerboseName = renamed }, "admin");
        Assert.Equal(tag, await kit.TagNamedAsync(renamed));

        Assert.True(await Eventually.TrueAsync(async () =>
        {
            foreach (var id in vms)
            {
                if (!(await kit.Sim.GetDomainAsync(id)).GetProperty("remote_access").GetBoolean())
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(20)));

        var other = await Assert.ThrowsAsync<BrokerException>(() => fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid()).CreateAsync(PoolType.Static,
            new PoolSettings { VerboseName = PoolKit.NewName(), ControllerId = kit.ControllerId, ResourcePoolId = kit.ResourcePool, VmIds = [vms[0]] }, "admin"));
        Assert.Equal(ErrorKind.Conflict, other.Kind);
    }

    [Fact]
    public async Task A_guest_pool_is_created_with_recreate_as_its_disconnect_action()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Guest, kit.Automated(1, 2), "admin");
        Assert.Equal(VmDisconnectAction.Recreate, view.VmActionUponUserDisconnect);
        Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"))).Status);
        Assert.Equal(PoolStatus.Active, (await pool.GetAsync())!.Status);
    }

    [Fact]
    public async Task Expansion_stops_at_total_size()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 1, total: 4, reserve: 1, step: 2) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));

        await kit.WaitForTaskAsync((await pool.ExpandAsync("admin")).Id);
        Assert.Equal(3, (await pool.GetAsync())!.VmCount);
        await kit.WaitForTaskAsync((await pool.ExpandAsync("admin")).Id);
        Assert.Equal(4, (await pool.GetAsync())!.VmCount);

        var full = await Assert.ThrowsAsync<BrokerException>(() => pool.ExpandAsync("admin"));
        Assert.Equal("total_size", full.Field);
        Assert.Equal(4, (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count);
    }

    [Fact]
    public async Task Fifty_concurrent_triggers_start_exactly_one_expansion()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 2, total: 10, reserve: 2, step: 3) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var user = await kit.NewUserAsync();
        await pool.EntitleAsync([user], [], "admin");
        await kit.Sim.SetFaultsAsync(latencyMs: 300); // keep the expansion running while the triggers arrive

        var vm = (await pool.TakeVmIdAsync(user))!.Value; // free VMs fall below the reserve
        var triggers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => fixture.Client.GetGrain<IPoolInternalGrain>(view.Id).RequestAutoExpansionAsync()));
        var started = triggers.Where(t => t is not null).Select(t => t!.Id).Distinct().ToList();

        Assert.Single(started);
        await kit.Sim.SetFaultsAsync();
        await kit.WaitForTaskAsync(started[0]);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tasks where pool_id = @p and task_type = 'POOL_EXPAND'", ("p", view.Id)));
        Assert.Equal(5, (await pool.GetAsync())!.VmCount);
        Assert.Contains(user, (await fixture.Client.GetGrain<IVmGrain>(vm).GetAsync())!.Owners);
    }

    [Fact]
    public async Task Updates_while_interleaved_hand_outs_start_expansions_all_succeed_and_the_last_one_stands()
    {
        // every take below the reserve starts an expansion and writes the pool's state, interleaved with the
        // administrator's updates (which write it too). The race itself (two writes in flight, the second with a
        // stale ETag) is one write long and did not show here in 20 rounds without the fix; SerializedWritesTests
        // proves the guard deterministically. This pins the whole path: no update lost, none refused.
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 1, total: 80, reserve: 70, step: 1) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var internals = fixture.Client.GetGrain<IPoolInternalGrain>(view.Id);
        for (var round = 0; round < 20; round++)
        {
            var users = new List<Guid>();
            for (var i = 0; i < 2; i++)
            {
                users.Add(await kit.NewUserAsync());
            }

            await pool.EntitleAsync(users, [], "admin");
            if (await internals.RequestAutoExpansionAsync() is { } running)
            {
                await kit.WaitForTaskAsync(running.Id); // each round starts with no expansion pending, so a take starts one
            }

            // the updates queue behind each other, so their writes cover the time in which one of the takes writes
            var timeout = 30 + round;
            await Task.WhenAll(users.Select(u => (Task)pool.TakeVmForUserAsync(u))
                .Concat(Enumerable.Range(0, 10).Select(_ => pool.UpdateAsync(new PoolSettings { VmDisconnectActionTimeout = timeout }, "admin"))));
            Assert.Equal(timeout, (await pool.GetAsync())!.VmDisconnectActionTimeout);
        }
    }

    [Fact]
    public async Task A_partial_clone_failure_leaves_the_pool_partial_with_the_good_vms()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        await kit.Sim.SetFaultsAsync(failCloneAfter: 2);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 5, total: 5), "admin");
        var task = await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));

        Assert.Equal(BrokerTaskStatus.Failed, task.Status);
        Assert.Contains("2 of 5", task.Message);
        Assert.Equal(PoolStatus.Partial, (await pool.GetAsync())!.Status);
        Assert.Equal(2, (await pool.GetAsync())!.VmCount);
        Assert.Equal(2, (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count);
    }

    [Fact]
    public async Task Cancelling_a_creation_cancels_the_controller_task_and_fails_the_pool()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 100, total: 100), "admin");
        var taskId = await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE");
        Assert.True(await Eventually.TrueAsync(async () => (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count > 0, TimeSpan.FromSeconds(20)),
            "the controller never started cloning");

        await fixture.Client.GetGrain<ITaskGrain>(taskId).CancelAsync("admin");
        var task = await kit.WaitForTaskAsync(taskId);
        Assert.Equal(BrokerTaskStatus.Cancelled, task.Status);
        Assert.Equal(PoolStatus.Failed, (await pool.GetAsync())!.Status);
        var controllerTasks = await kit.Sim.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/tasks/?status=CANCELLED");
        Assert.Contains(controllerTasks.GetProperty("results").EnumerateArray(), t => t.GetProperty("name").GetString() == "Multi create domains");
        var made = await kit.DomainsNamedAsync(view.VmNameTemplate!);
        Assert.True(made.Count < 100, "the controller went on cloning after the cancel");
        Assert.Equal((long)made.Count, await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where pool_id = @p", ("p", view.Id)));
        var cancelled = await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @p and message like 'Task POOL_CREATE cancelled.'", ("p", view.Id));
        Assert.Equal(1L, cancelled);
    }

    [Fact]
    public async Task Deleting_a_pool_deletes_its_vms_on_the_controller()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 3, total: 3) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        Assert.Equal(3, (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count);

        var refused = await Assert.ThrowsAsync<BrokerException>(() =>
            fixture.Client.GetGrain<Vdi.Grains.Interfaces.Controllers.IControllerGrain>(kit.ControllerId).RemoveAsync("admin"));
        Assert.Contains("pool", refused.Message);

        var task = await kit.WaitForTaskAsync((await pool.RemoveAsync(deleteVms: true, "admin")).Id);
        Assert.Equal(BrokerTaskStatus.Finished, task.Status);
        Assert.Empty(await kit.DomainsNamedAsync(view.VmNameTemplate!));
        Assert.Null(await pool.GetAsync());
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where pool_id = @p", ("p", view.Id)));
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_pools where id = @p", ("p", view.Id)));
        Assert.Null(await kit.TagNamedAsync(view.VerboseName)); // the pool's tag goes with it
        await fixture.Client.GetGrain<Vdi.Grains.Interfaces.Controllers.IControllerGrain>(kit.ControllerId).RemoveAsync("admin");
    }

    [Fact]
    public async Task Removing_a_controller_with_force_removes_its_pools_by_their_tasks_and_leaves_their_vms_on_it()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        var automated = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await automated.CreateAsync(PoolType.Automated, kit.Automated(initial: 2, total: 2) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var manual = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        await manual.CreateAsync(PoolType.Static, new PoolSettings
        {
            VerboseName = PoolKit.NewName(), ControllerId = kit.ControllerId, ResourcePoolId = kit.ResourcePool, VmIds = [await kit.Sim.DomainIdAsync("office-1")],
        }, "admin");
        var controller = fixture.Client.GetGrain<Vdi.Grains.Interfaces.Controllers.IControllerGrain>(kit.ControllerId);

        var tasks = await controller.RemoveWithPoolsAsync("admin");
        Assert.Equal(2, tasks.Count);
        Assert.All(tasks, t => Assert.Equal(BrokerTaskType.PoolDelete, t.Type));
        foreach (var t in tasks)
        {
            Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync(t.Id)).Status);
        }

        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_controllers where id = @c", ("c", kit.ControllerId)) == 0, TimeSpan.FromSeconds(20)),
            "the controller was not removed once its pools were");
        Assert.Null(await automated.GetAsync());
        Assert.Null(await manual.GetAsync());
        Assert.Null(await controller.GetAsync());
        Assert.Equal(2, (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count); // left on the controller
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @c and message like '%is being removed with its 2 pool(s).'", ("c", kit.ControllerId)));
    }
}
