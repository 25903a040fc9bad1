namespace Vdi.Grains.Interfaces.Pools;

/// <summary>AUTOMATED, STATIC, GUEST, RDS (an application pool of RDS hosts / connection brokers, shared by its users).</summary>
[GenerateSerializer, Alias("PoolType")]
public enum PoolType
{
    Automated = 0,
    Static = 1,
    Guest = 2,
    Rds = 3,
}
