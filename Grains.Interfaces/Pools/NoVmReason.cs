namespace Vdi.Grains.Interfaces.Pools;

/// <summary>Why a pool has no VM for a user right now.</summary>
[GenerateSerializer, Alias("NoVmReason")]
public enum NoVmReason
{
    AllInUse = 0,
    Full = 1,
    AllReserved = 2,
    Expanding = 3,
    StillCreating = 4,
    ServiceMode = 5,
    ControllerUnavailable = 6,
}
