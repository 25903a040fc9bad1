namespace Vdi.Grains.Interfaces.Vms;

/// <summary>Makes a controller's domain known to the broker (a pool adds its VMs through this).</summary>
[GenerateSerializer, Immutable, Alias("VmAttachment")]
public sealed record VmAttachment(
    [property: Id(0)] Guid ControllerId,
    [property: Id(1)] Guid? PoolId,
    [property: Id(2)] string VerboseName,
    [property: Id(3)] PowerState PowerState,
    [property: Id(4)] bool CreatedByBroker);
