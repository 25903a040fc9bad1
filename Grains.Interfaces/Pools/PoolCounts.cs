namespace Vdi.Grains.Interfaces.Pools;

/// <summary>How a pool's VMs stand: all, free (ACTIVE, not reserved, no owner), assigned, reserved.</summary>
[GenerateSerializer, Immutable, Alias("PoolCounts")]
public sealed record PoolCounts(
    [property: Id(0)] int Vms,
    [property: Id(1)] int Free,
    [property: Id(2)] int Assigned,
    [property: Id(3)] int Reserved);
