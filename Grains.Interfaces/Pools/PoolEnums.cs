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

/// <summary>How a thin client connects to a pool's VMs (§3.2).</summary>
[GenerateSerializer, Alias("ConnectionType")]
public enum ConnectionType
{
    Spice = 0,
    SpiceDirect = 1,
    Rdp = 2,
    NativeRdp = 3,
    Loudplay = 4,
}

/// <summary>What happens to a VM after its user disconnects.</summary>
[GenerateSerializer, Alias("VmDisconnectAction")]
public enum VmDisconnectAction
{
    None = 0,
    Recreate = 1,
    Shutdown = 2,
    ShutdownForced = 3,
    Suspend = 4,
}

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
