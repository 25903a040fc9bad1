namespace Vdi.Grains.Interfaces.Pools;

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
