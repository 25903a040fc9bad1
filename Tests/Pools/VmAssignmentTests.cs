using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Pools;

/// <summary>Entitlements, assignment, reservation and the race for the last free VM.</summary>
[Collection(ControllerCollection.Name)]
public sealed class VmAssignmentTests(TwoSiloClusterFixture fixture)
{
    private async Task<(PoolKit Kit, IPoolGrain Pool, Guid PoolId)> PoolWithVmsAsync(int vms)
    {
        var kit = await PoolKit.StartAsync(fixture.Client);
        var id = Guid.NewGuid();
        var pool = fixture.Client.GetGrain<IPoolGrain>(id);
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: vms, total: vms, reserve: 1) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        return (kit, pool, id);
    }

    [Fact]
    public async Task Two_users_racing_for_the_last_free_vm_never_get_the_same_one()
    {
        var (kit, pool, _) = await PoolWithVmsAsync(1);
        await using var _ = kit;
        var users = new[] { await kit.NewUserAsync(), await kit.NewUserAsync() };
        await pool.EntitleAsync(users, [], "admin");

        var results = await Task.WhenAll(users.Select(u => pool.TakeVmIdAsync(u)));
        Assert.Single(results, r => r is not null);
        var vm = results.Single(r => r is not null)!.Value;
        Assert.Single((await fixture.Client.GetGrain<IVmGrain>(vm).GetAsync())!.Owners);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vm_owners where vm_id = @v", ("v", vm)));
    }

    [Fact]
    public async Task A_crowd_larger_than_the_pool_gets_every_vm_once_and_a_user_asking_twice_at_once_gets_one()
    {
        var (kit, pool, poolId) = await PoolWithVmsAsync(30);
        await using var _ = kit;
        var users = new List<Guid>();
        for (var i = 0; i < 45; i++)
        {
            users.Add(await kit.NewUserAsync());
        }

        await pool.EntitleAsync(users, [], "admin");

        // every user asks twice at the same moment (a double click); the requests interleave in the pool grain
        var requests = users.SelectMany(u => new[] { (User: u, Vm: pool.TakeVmIdAsync(u)), (User: u, Vm: pool.TakeVmIdAsync(u)) }).ToList();
        await Task.WhenAll(requests.Select(r => r.Vm));
        foreach (var group in requests.GroupBy(r => r.User))
        {
            Assert.Single(group.Select(r => r.Vm.Result).Distinct()); // both requests of a user got the same answer
        }

        var given = requests.Where(r => r.Vm.Result is not null).GroupBy(r => r.User).Select(g => g.First().Vm.Result!.Value).ToList();
        Assert.Equal(30, given.Count);                     // every VM was handed out...
        Assert.Equal(30, given.Distinct().Count());        // ...to exactly one user
        Assert.Equal(30L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vm_owners where pool_id = @p", ("p", poolId)));
        Assert.Equal(30L, await TestDb.ScalarAsync<long>("select count(distinct user_id) from vdi_vm_owners where pool_id = @p", ("p", poolId)));
        Assert.Null(await pool.TakeVmIdAsync(requests.First(r => r.Vm.Result is null).User)); // and the pool is full
    }

    [Fact]
    public async Task Users_taking_vms_at_once_from_a_pool_running_low_start_exactly_one_expansion()
    {
        var kit = await PoolKit.StartAsync(fixture.Client);
        await using var _ = kit;
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 6, total: 30, reserve: 5, step: 2) with { StartVms = false }, "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var users = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            users.Add(await kit.NewUserAsync());
        }

        await pool.EntitleAsync(users, [], "admin");
        var taken = await Task.WhenAll(users.Select(u => pool.TakeVmIdAsync(u)));
        Assert.Equal(6, taken.Where(t => t is not null).Distinct().Count());
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tasks where pool_id = @p and task_type = 'POOL_EXPAND'", ("p", view.Id)));
    }

    [Fact]
    public async Task A_user_gets_the_same_vm_again_and_has_one_vm_per_pool()
    {
        var (kit, pool, poolId) = await PoolWithVmsAsync(3);
        await using var _ = kit;
        var user = await kit.NewUserAsync();
        await pool.EntitleAsync([user], [], "admin");

        var first = await pool.TakeVmIdAsync(user);
        Assert.Equal(first, await pool.TakeVmIdAsync(user));

        var other = (await TestDb.ScalarAsync<Guid?>("select id from vdi_vms where pool_id = @p and id <> @v limit 1", ("p", poolId), ("v", first!.Value)))!.Value;
        await pool.AssignVmAsync(other, user, "admin");
        Assert.DoesNotContain(user, (await fixture.Client.GetGrain<IVmGrain>(first.Value).GetAsync())!.Owners);
        Assert.Contains(user, (await fixture.Client.GetGrain<IVmGrain>(other).GetAsync())!.Owners);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vm_owners where pool_id = @p and user_id = @u", ("p", poolId), ("u", user)));

        await pool.FreeVmAsync(other, user, "admin");
        Assert.Empty((await fixture.Client.GetGrain<IVmGrain>(other).GetAsync())!.Owners);
    }

    [Fact]
    public async Task Only_entitled_users_or_members_of_entitled_groups_get_vms_and_reserved_vms_are_never_handed_out()
    {
        var (kit, pool, poolId) = await PoolWithVmsAsync(2);
        await using var _ = kit;
        var outsider = await kit.NewUserAsync();
        var member = await kit.NewUserAsync();
        var vms = (await TestDb.ScalarAsync<Guid[]>("select array_agg(id order by verbose_name) from vdi_vms where pool_id = @p", ("p", poolId)))!;
        var refused = await Assert.ThrowsAsync<BrokerException>(() => pool.AssignVmAsync(vms[0], outsider, "admin"));
        Assert.Equal("users", refused.Field);

        var group = fixture.Client.GetGrain<IGroupGrain>(Guid.NewGuid());
        await group.CreateAsync($"g-{Guid.NewGuid():N}", "", "admin");
        await group.AddMembersAsync([member], "admin");
        await pool.EntitleAsync([], [(await group.GetAsync())!.Id], "admin");
        Assert.True(await pool.IsEntitledAsync(member));
        Assert.False(await pool.IsEntitledAsync(outsider));

        await pool.ReserveVmAsync(vms[0], reserved: true, "admin");
        await pool.ReserveVmAsync(vms[1], reserved: true, "admin");
        Assert.Null(await pool.TakeVmIdAsync(member));
        Assert.Equal(VmStatus.Reserved, (await fixture.Client.GetGrain<IVmGrain>(vms[0]).GetAsync())!.Status);

        await pool.ReserveVmAsync(vms[1], reserved: false, "admin");
        Assert.Equal(vms[1], await pool.TakeVmIdAsync(member));
    }
}
