namespace Vdi.Grains.Interfaces.Pools;

/// <summary>What a pool's VMs need to know to apply the VM manager's policies (§6).</summary>
[GenerateSerializer, Immutable, Alias("VmPolicySettings")]
public sealed record VmPolicySettings(
    [property: Id(0)] PoolType PoolType,
    [property: Id(1)] bool KeepVmsOn,
    [property: Id(2)] bool FreeVmFromUser,
    [property: Id(3)] VmDisconnectAction ActionUponUserDisconnect,
    [property: Id(4)] int DisconnectActionTimeoutSeconds);
