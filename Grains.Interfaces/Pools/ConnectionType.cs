namespace Vdi.Grains.Interfaces.Pools;

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
