namespace Vdi.Grains.Interfaces.Pools;

/// <summary>AUTOMATED, STATIC, GUEST (RDS comes later).</summary>
[GenerateSerializer, Alias("PoolType")]
public enum PoolType
{
    Automated = 0,
    Static = 1,
    Guest = 2,
    Rds = 3,
}
