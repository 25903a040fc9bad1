using Vdi.Grains.Interfaces.Pools;

namespace Vdi.Grains.Pools;

/// <summary>Why a pool has no VM for a user, in words a user understands (other brokers just say "no"), and whether more are coming.</summary>
public static class NoVmRules
{
    public static VmTake Refusal(PoolState pool, PoolCounts counts, bool expanding)
    {
        var reason = pool switch
        {
            { Status: PoolStatus.Failed } when pool.StatusReason?.Contains("controller", StringComparison.OrdinalIgnoreCase) == true =>
                NoVmReason.ControllerUnavailable,
            { Status: PoolStatus.Service } => NoVmReason.ServiceMode,
            { Status: PoolStatus.Creating } when counts.Vms == 0 => NoVmReason.StillCreating,
            _ when expanding => NoVmReason.Expanding,
            _ when counts.Vms > 0 && counts.Reserved == counts.Vms => NoVmReason.AllReserved,
            _ when counts.Vms >= pool.TotalSize => NoVmReason.Full,
            _ => NoVmReason.AllInUse,
        };
        var moreComing = expanding || (pool.PoolType is not PoolType.Static && counts.Vms < pool.TotalSize);
        return new VmTake(null, reason, moreComing, Explain(reason, counts));
    }

    public static string Explain(NoVmReason reason, PoolCounts counts) => reason switch
    {
        NoVmReason.ControllerUnavailable => "the controller of this pool is unavailable",
        NoVmReason.ServiceMode => "the pool is in service mode",
        NoVmReason.StillCreating => "the pool is still being created",
        NoVmReason.Expanding => "more machines are being created",
        NoVmReason.AllReserved => "all machines of the pool are reserved",
        NoVmReason.Full => $"the pool is full: all {counts.Vms} machines are in use",
        _ => "all machines of the pool are in use",
    };
}
