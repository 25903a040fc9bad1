namespace Vdi.Grains.Interfaces.Pools;

/// <summary>The original's Status values as they apply to a pool.</summary>
[GenerateSerializer, Alias("PoolStatus")]
public enum PoolStatus
{
    Creating = 0,
    Active = 1,
    Failed = 2,
    Deleting = 3,
    Service = 4,
    Partial = 5,
}
