using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Pools;

namespace Vdi.Tests.Pools;

/// <summary>Why a pool has no VM for a user, and whether the thin client hears 002 (more coming) or 003.</summary>
public sealed class NoVmRulesTests
{
    private static PoolState Pool(PoolType type = PoolType.Automated, PoolStatus status = PoolStatus.Active, int total = 10, string? reason = null) =>
        new() { PoolType = type, Status = status, TotalSize = total, StatusReason = reason };

    [Theory]
    [InlineData(PoolStatus.Failed, "controller is FAILED", 5, false, NoVmReason.ControllerUnavailable)]
    [InlineData(PoolStatus.Service, null, 5, false, NoVmReason.ServiceMode)]
    [InlineData(PoolStatus.Creating, null, 0, false, NoVmReason.StillCreating)]
    [InlineData(PoolStatus.Active, null, 5, true, NoVmReason.Expanding)]
    [InlineData(PoolStatus.Active, null, 10, false, NoVmReason.Full)]
    [InlineData(PoolStatus.Active, null, 5, false, NoVmReason.AllInUse)]
    public void The_reason_follows_the_pools_status_and_counts(PoolStatus status, string? statusReason, int vms, bool expanding, NoVmReason expected)
    {
        var take = NoVmRules.Refusal(Pool(status: status, reason: statusReason), new PoolCounts(vms, 0, vms, 0), expanding);
        Assert.Null(take.VmId);
        Assert.Equal(expected, take.Reason);
        Assert.False(string.IsNullOrEmpty(take.Explanation));
    }

    [Fact]
    public void All_reserved_is_said_so()
    {
        var take = NoVmRules.Refusal(Pool(), new PoolCounts(3, 0, 0, 3), expanding: false);
        Assert.Equal((NoVmReason.AllReserved, "all machines of the pool are reserved"), (take.Reason, take.Explanation));
    }

    [Fact]
    public void More_is_coming_while_an_automated_pool_can_grow_or_expands_never_for_a_full_or_static_pool()
    {
        Assert.True(NoVmRules.Refusal(Pool(), new PoolCounts(5, 0, 5, 0), expanding: false).MoreComing);
        Assert.True(NoVmRules.Refusal(Pool(total: 5), new PoolCounts(5, 0, 5, 0), expanding: true).MoreComing);
        Assert.False(NoVmRules.Refusal(Pool(total: 5), new PoolCounts(5, 0, 5, 0), expanding: false).MoreComing);
        Assert.False(NoVmRules.Refusal(Pool(PoolType.Static, total: 100), new PoolCounts(5, 0, 5, 0), expanding: false).MoreComing);
        Assert.Equal("the pool is full: all 5 machines are in use", NoVmRules.Refusal(Pool(total: 5), new PoolCounts(5, 0, 5, 0), false).Explanation);
    }
}
