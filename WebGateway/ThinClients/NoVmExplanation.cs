using Vdi.Grains.Interfaces.Pools;

namespace Vdi.WebGateway.ThinClients;

/// <summary>Why a pool has no VM for the user, in words a user understands (other brokers just say "no").</summary>
public static class NoVmExplanation
{
    public static string For(PoolView pool, PoolCounts counts, bool expanding) => pool switch
    {
        { Status: PoolStatus.Failed } when pool.StatusReason?.Contains("controller", StringComparison.OrdinalIgnoreCase) == true =>
            "the controller of this pool is unavailable",
        { Status: PoolStatus.Service } => "the pool is in service mode",
        { Status: PoolStatus.Creating } when counts.Vms == 0 => "the pool is still being created",
        _ when expanding => "more machines are being created",
        _ when counts.Vms > 0 && counts.Reserved == counts.Vms => "all machines of the pool are reserved",
        _ when counts.Vms >= pool.TotalSize => $"the pool is full: all {counts.Vms} machines are in use",
        _ => "all machines of the pool are in use",
    };
}
