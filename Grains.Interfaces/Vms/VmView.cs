namespace Vdi.Grains.Interfaces.Vms;

[GenerateSerializer, Immutable, Alias("VmView")]
public sealed record VmView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid ControllerId,
    [property: Id(2)] Guid? PoolId,
    [property: Id(3)] string VerboseName,
    [property: Id(4)] VmStatus Status,
    [property: Id(5)] PowerState PowerState,
    [property: Id(6)] bool CreatedByBroker,
    [property: Id(7)] DateTimeOffset Updated,
    [property: Id(8)] IReadOnlyList<Guid> Owners);
