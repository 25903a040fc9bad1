using Microsoft.Extensions.Time.Testing;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Vms.Policies;

namespace Vdi.Tests.Policies;

/// <summary>Every branch of the action after a user disconnects (§6.2) and of keep-on (§6.1), on a fake clock.</summary>
public sealed class DisconnectPolicyTests
{
    private static readonly Guid User = Guid.NewGuid();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

    private static VmPolicySettings Pool(VmDisconnectAction action, bool free = false, PoolType type = PoolType.Automated, int timeout = 60, bool keepOn = false) =>
        new(type, keepOn, free, action, timeout);

    [Fact]
    public void The_deadline_is_the_pools_timeout_after_the_user_left()
    {
        var pending = DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Shutdown, timeout: 30), User, _time.GetUtcNow())!;
        Assert.Equal(User, pending.UserId);
        Assert.Equal(_time.GetUtcNow().AddSeconds(30), pending.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(30), DisconnectPolicy.Remaining(pending, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(TimeSpan.FromSeconds(1), DisconnectPolicy.Remaining(pending, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.Zero, DisconnectPolicy.Remaining(pending, _time.GetUtcNow()));
    }

    [Fact]
    public void Each_departure_is_a_new_wait_with_its_own_id()
    {
        var first = DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Suspend), User, _time.GetUtcNow())!;
        _time.Advance(TimeSpan.FromSeconds(10));
        var second = DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Suspend), User, _time.GetUtcNow())!;
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first.Deadline.AddSeconds(10), second.Deadline);
    }

    [Fact]
    public void Nothing_is_scheduled_when_nothing_would_happen_for_rds_pools_or_without_a_pool()
    {
        Assert.Null(DisconnectPolicy.Schedule(Pool(VmDisconnectAction.None), User, _time.GetUtcNow()));
        Assert.Null(DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Shutdown, type: PoolType.Rds), User, _time.GetUtcNow()));
        Assert.Null(DisconnectPolicy.Schedule(null, User, _time.GetUtcNow()));
        Assert.NotNull(DisconnectPolicy.Schedule(Pool(VmDisconnectAction.None, free: true), User, _time.GetUtcNow()));
    }

    [Fact]
    public void A_lost_socket_waits_the_grace_window_before_the_pools_timeout_starts()
    {
        var left = _time.GetUtcNow();
        var pending = DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Shutdown, timeout: 30), User, left, grace: TimeSpan.FromSeconds(60))!;
        Assert.Equal(left.AddSeconds(60), pending.GraceUntil);
        Assert.Equal(left.AddSeconds(90), pending.Deadline);
        _time.Advance(TimeSpan.FromSeconds(89));
        Assert.Equal(TimeSpan.FromSeconds(1), DisconnectPolicy.Remaining(pending, _time.GetUtcNow()));

        var said = DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Shutdown, timeout: 30), User, left)!; // the client said it left
        Assert.Null(said.GraceUntil);
        Assert.Equal(left.AddSeconds(30), said.Deadline);
    }

    [Fact]
    public void The_grace_window_in_force_is_never_shorter_than_the_dead_session_timeout()
    {
        var options = new Vdi.Grains.ThinClients.ThinClientOptions { DeadSessionTimeout = TimeSpan.FromSeconds(35), DisconnectGrace = TimeSpan.Zero };
        Assert.Equal(TimeSpan.FromSeconds(35), options.EffectiveDisconnectGrace);
        options.DisconnectGrace = TimeSpan.FromMinutes(2);
        Assert.Equal(TimeSpan.FromMinutes(2), options.EffectiveDisconnectGrace);
    }

    [Fact]
    public void A_negative_timeout_counts_as_zero()
    {
        var pending = DisconnectPolicy.Schedule(Pool(VmDisconnectAction.Shutdown, timeout: -5), User, _time.GetUtcNow())!;
        Assert.Equal(_time.GetUtcNow(), pending.Deadline);
    }

    [Theory]
    [InlineData(VmDisconnectAction.Shutdown, PowerState.On, PowerAction.Shutdown, false)]
    [InlineData(VmDisconnectAction.Shutdown, PowerState.Suspended, PowerAction.Shutdown, false)]
    [InlineData(VmDisconnectAction.ShutdownForced, PowerState.On, PowerAction.Shutdown, true)]
    [InlineData(VmDisconnectAction.Suspend, PowerState.On, PowerAction.Suspend, false)]
    public void Power_actions_map_to_the_controllers_actions(VmDisconnectAction action, PowerState power, PowerAction expected, bool force)
    {
        var plan = DisconnectPolicy.Plan(Pool(action), Pending(), [User], power);
        Assert.Equal(new PowerStep(expected, force), plan.Power);
        Assert.False(plan.FreeUser);
        Assert.False(plan.Recreate);
    }

    [Theory]
    [InlineData(VmDisconnectAction.Shutdown, PowerState.Off)]
    [InlineData(VmDisconnectAction.ShutdownForced, PowerState.Off)]
    [InlineData(VmDisconnectAction.Suspend, PowerState.Off)]
    [InlineData(VmDisconnectAction.Suspend, PowerState.Suspended)]
    [InlineData(VmDisconnectAction.None, PowerState.On)]
    [InlineData(VmDisconnectAction.Recreate, PowerState.On)] // outside guest pools recreation does not apply
    public void No_power_step_when_the_vm_is_already_there_or_the_action_does_not_apply(VmDisconnectAction action, PowerState power)
    {
        Assert.Null(DisconnectPolicy.Plan(Pool(action), Pending(), [User], power).Power);
    }

    [Fact]
    public void The_vm_is_freed_from_the_user_who_left_when_the_pool_says_so()
    {
        Assert.True(DisconnectPolicy.Plan(Pool(VmDisconnectAction.None, free: true), Pending(), [User], PowerState.On).FreeUser);
        Assert.False(DisconnectPolicy.Plan(Pool(VmDisconnectAction.None, free: false), Pending(), [User], PowerState.On).FreeUser);
        Assert.False(DisconnectPolicy.Plan(Pool(VmDisconnectAction.None, free: true), Pending(), [Guid.NewGuid()], PowerState.On).FreeUser); // already taken from them
    }

    [Fact]
    public void Guest_pools_recreate_the_vm_and_never_free_it_separately()
    {
        var plan = DisconnectPolicy.Plan(Pool(VmDisconnectAction.Recreate, free: true, type: PoolType.Guest), Pending(), [User], PowerState.On);
        Assert.True(plan.Recreate);
        Assert.False(plan.FreeUser);
        Assert.Null(plan.Power);
        Assert.False(DisconnectPolicy.Plan(Pool(VmDisconnectAction.Shutdown, free: true, type: PoolType.Guest), Pending(), [User], PowerState.On).FreeUser);
    }

    [Fact]
    public void A_vm_powered_down_while_still_assigned_is_held_off_for_keep_on()
    {
        var shutdown = DisconnectPolicy.Plan(Pool(VmDisconnectAction.Shutdown), Pending(), [User], PowerState.On);
        Assert.True(DisconnectPolicy.HoldsPowerOff(shutdown, [User]));
        Assert.False(DisconnectPolicy.HoldsPowerOff(shutdown, []));
        Assert.False(DisconnectPolicy.HoldsPowerOff(DisconnectPolicy.Plan(Pool(VmDisconnectAction.None, free: true), Pending(), [User], PowerState.On), [User]));
    }

    [Theory]
    [InlineData(true, 1, VmStatus.Active, PowerState.Off, false, true)]
    [InlineData(true, 1, VmStatus.Reserved, PowerState.Suspended, false, true)]
    [InlineData(false, 1, VmStatus.Active, PowerState.Off, false, false)] // pool does not keep VMs on
    [InlineData(true, 0, VmStatus.Active, PowerState.Off, false, false)] // unassigned VMs are left alone
    [InlineData(true, 1, VmStatus.Active, PowerState.On, false, false)]
    [InlineData(true, 1, VmStatus.Deleting, PowerState.Off, false, false)]
    [InlineData(true, 1, VmStatus.Failed, PowerState.Off, false, false)]
    [InlineData(true, 1, VmStatus.Active, PowerState.Off, true, false)] // the disconnect action powered it down
    public void Keep_on_starts_only_assigned_stopped_vms_of_keep_on_pools(bool keepOn, int owners, VmStatus status, PowerState power, bool heldOff, bool expected)
    {
        Assert.Equal(expected, KeepOnPolicy.ShouldStart(keepOn, owners, status, power, heldOff));
    }

    private PendingDisconnect Pending() => new() { Id = Guid.NewGuid(), UserId = User, LeftAt = _time.GetUtcNow(), Deadline = _time.GetUtcNow() };
}
