using Vdi.Grains.Pools;
using Vdi.Grains.Controllers;
using Orleans.Runtime;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Vms;
using Vdi.Tests.Fixtures;
using Vdi.Tests.Pools;

namespace Vdi.Tests.Policies;

/// <summary>The VM manager's policies against the simulator: each action really changes the VM on the controller.</summary>
[Collection(ControllerCollection.Name)]
public sealed class VmPolicyTests(TwoSiloClusterFixture fixture)
{
    private IClusterClient Client => fixture.Client;

    /// <summary>An automated pool of <paramref name="vms"/> running VMs, the first assigned to a new entitled user.</summary>
    private async Task<(PoolKit Kit, Guid PoolId, Guid VmId, Guid UserId, List<Guid> Vms)> PoolWithAssignedVmAsync(
        Func<PoolSettings, PoolSettings> configure, int vms = 1, PoolType type = PoolType.Automated)
    {
        var kit = await PoolKit.StartAsync(Client);
        var pool = Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(type, configure(kit.Automated(initial: vms, total: vms) with { StartVms = true }), "admin");
        await kit.WaitForTaskAsync(await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE"));
        var ids = (await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p order by verbose_name", ("p", view.Id))).ToList();
        var user = await kit.NewUserAsync();
        await pool.EntitleAsync([user], [], "admin");
        await pool.AssignVmAsync(ids[0], user, "admin");
        await kit.Sim.SetPowerAsync(ids[0], "on");
        await WaitForBrokerPowerAsync(ids[0], PowerState.On);
        return (kit, view.Id, ids[0], user, ids);
    }

    private async Task WaitForBrokerPowerAsync(Guid vm, PowerState power) =>
        Assert.True(await Eventually.TrueAsync(async () => (await Client.GetGrain<IVmGrain>(vm).GetAsync())!.PowerState == power, TimeSpan.FromSeconds(10)),
            $"the broker did not see VM {vm} {power}");

    private static async Task<int> SimPowerAsync(PoolKit kit, Guid vm) => (await kit.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32();

    private static Task<long> ReminderRowsAsync(Guid vm) =>
        TestDb.ScalarAsync<long>("select count(*) from orleansreminderstable where remindername = @r and grainid like @g",
            ("r", DisconnectAlarm.ReminderName), ("g", $"%{vm:N}%"));

    private static Task<long> CompletionsAsync(Guid vm) =>
        TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @v and message like 'Action upon user disconnect completed.%'", ("v", vm));

    [Theory]
    [InlineData(VmDisconnectAction.Shutdown, 1)]
    [InlineData(VmDisconnectAction.ShutdownForced, 1)]
    [InlineData(VmDisconnectAction.Suspend, 2)]
    public async Task Each_action_after_a_disconnect_changes_the_vm_on_the_controller(VmDisconnectAction action, int expectedPower)
    {
        var (kit, _, vm, user, _) = await PoolWithAssignedVmAsync(s => s with { VmActionUponUserDisconnect = action, VmDisconnectActionTimeout = 1 });
        await using var _ = kit;

        await Client.GetGrain<IVmInternalGrain>(vm).UserLeftAsync(user);
        Assert.NotNull(await Client.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync());

        Assert.True(await Eventually.TrueAsync(async () => await SimPowerAsync(kit, vm) == expectedPower, TimeSpan.FromSeconds(20)),
            $"{action} did not reach the controller");
        Assert.True(await Eventually.TrueAsync(async () => await CompletionsAsync(vm) == 1, TimeSpan.FromSeconds(10)));
        Assert.Null(await Client.GetGrain<IVmInternalGrain>(vm).GetPendingDisconnectAsync());
        Assert.Equal(0, await ReminderRowsAsync(vm));
        Assert.Contains(user, (await Client.GetGrain<IVmGrain>(vm).GetAsync())!.Owners); // free_vm_from_user is off
    }

    [Fact]
    public async Task Freeing_from_the_user_takes_the_vm_back_for_others()
    {
        var (kit, poolId, vm, user, _) = await PoolWithAssignedVmAsync(s => s with { FreeVmFromUser = true, VmDisconnectActionTimeout = 1 });
        await using var _ = kit;

        await Client.GetGrain<IVmInternalGrain>(vm).UserLeftAsync(user);

        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_vm_owners where vm_id = @v", ("v", vm)) == 0, TimeSpan.FromSeconds(20)),
            "the VM was not freed from the user");
        Assert.Empty((await Client.GetGrain<IVmGrain>(vm).GetAsync())!.Owners);
        Assert.Equal(3, await SimPowerAsync(kit, vm)); // NONE: the power stays as it was
        var other = await kit.NewUserAsync();
        await Client.GetGrain<IPoolGrain>(poolId).EntitleAsync([other], [], "admin");
        Assert.Equal(vm, await Client.GetGrain<IPoolGrain>(poolId).TakeVmIdAsync(other));
    }

    [Fact]
    public async Task A_connection_before_the_deadline_cancels_the_pending_action()
    {
        var (kit, _, vm, user, _) = await PoolWithAssignedVmAsync(s => s with { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown, VmDisconnectActionTimeout = 120 });
        await using var _ = kit;
        var grain = Client.GetGrain<IVmInternalGrain>(vm);

        await grain.UserLeftAsync(user);
        Assert.Equal(1, await ReminderRowsAsync(vm));

        await grain.UserConnectedAsync(user);
        Assert.Null(await grain.GetPendingDisconnectAsync());
        Assert.Equal(0, await ReminderRowsAsync(vm)); // nothing is left that could fire
        Assert.Equal(3, await SimPowerAsync(kit, vm));
        Assert.Equal(0, await CompletionsAsync(vm));
    }

    [Fact]
    public async Task A_guest_vm_is_recreated_and_its_user_no_longer_owns_it()
    {
        var (kit, poolId, vm, user, _) = await PoolWithAssignedVmAsync(s => s with { VmDisconnectActionTimeout = 0 }, vms: 2, type: PoolType.Guest);
        await using var _ = kit;

        await Client.GetGrain<IVmInternalGrain>(vm).UserLeftAsync(user);

        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where id = @v", ("v", vm)) == 0
            && await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where pool_id = @p and status = 'ACTIVE'", ("p", poolId)) == 2,
            TimeSpan.FromSeconds(60)), "the guest VM was not replaced");
        Assert.Equal(0, await TestDb.ScalarAsync<long>("select count(*) from vdi_vm_owners where user_id = @u", ("u", user)));
        var gone = await kit.Sim.Http.GetAsync($"/sim/domains/{vm}");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        Assert.True(await Eventually.TrueAsync(async () => "FINISHED" == await TestDb.ScalarAsync<string>(
            "select status from vdi_tasks where pool_id = @p and task_type = 'VM_GUEST_RECREATION' order by created desc limit 1", ("p", poolId)),
            TimeSpan.FromSeconds(30)), "the recreation task did not finish");
    }

    [Fact]
    public async Task Keep_on_restarts_an_assigned_vm_powered_off_on_the_controller_and_leaves_free_ones_alone()
    {
        var (kit, _, vm, _, vms) = await PoolWithAssignedVmAsync(s => s with { KeepVmsOn = true }, vms: 2);
        await using var _ = kit;
        var free = vms[1];

        await kit.Sim.SetPowerAsync(vm, "off");
        var off = DateTime.UtcNow;
        Assert.True(await Eventually.TrueAsync(async () => await SimPowerAsync(kit, vm) == 3, TimeSpan.FromSeconds(10)),
            "the assigned VM was not started again");
        Assert.True(DateTime.UtcNow - off < TimeSpan.FromSeconds(5), $"restarted after {(DateTime.UtcNow - off).TotalSeconds:0.0} s");

        await kit.Sim.SetPowerAsync(free, "off");
        await WaitForBrokerPowerAsync(free, PowerState.Off);
        Assert.Equal(0, await Client.GetGrain<IControllerInternalGrain>(kit.ControllerId).KeepVmsOnAsync());
        Assert.Equal(1, await SimPowerAsync(kit, free));
    }

    [Fact]
    public async Task The_periodic_check_starts_what_the_event_reaction_missed_with_one_bulk_call()
    {
        var (kit, _, vm, _, _) = await PoolWithAssignedVmAsync(s => s with { KeepVmsOn = true });
        await using var _ = kit;

        await kit.Sim.SetFaultsAsync(failPaths: [$"/domains/{vm}/start/"]); // the grain's own restart fails
        await kit.Sim.SetPowerAsync(vm, "off");
        await WaitForBrokerPowerAsync(vm, PowerState.Off);
        Assert.Equal(1, await SimPowerAsync(kit, vm));

        await kit.Sim.SetFaultsAsync();
        Assert.Equal(1, await Client.GetGrain<IControllerInternalGrain>(kit.ControllerId).KeepVmsOnAsync());
        Assert.True(await Eventually.TrueAsync(async () => await SimPowerAsync(kit, vm) == 3, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_pending_action_survives_the_death_of_its_vms_silo_and_fires_exactly_once()
    {
        var (kit, _, vm, user, _) = await PoolWithAssignedVmAsync(s => s with { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown, VmDisconnectActionTimeout = 6 });
        await using var _ = kit;
        var grain = Client.GetGrain<IVmInternalGrain>(vm);
        await grain.UserLeftAsync(user);

        var host = await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(grain);
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)));
        try
        {
            Assert.True(await Eventually.TrueAsync(async () => await SimPowerAsync(kit, vm) == 1, TimeSpan.FromSeconds(60)),
                "the action did not fire after the silo died");
            Assert.True(await Eventually.TrueAsync(async () => await CompletionsAsync(vm) == 1, TimeSpan.FromSeconds(10)));
            Assert.Equal(0, await ReminderRowsAsync(vm)); // fired, and nothing is left to fire again
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return await grain.GetPendingDisconnectAsync() is null;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    return false; // the client's gateway was on the dead silo: it moves to the live one
                }
            }, TimeSpan.FromSeconds(30)));
            Assert.Equal(1, await CompletionsAsync(vm));
        }
        finally
        {
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }
}
