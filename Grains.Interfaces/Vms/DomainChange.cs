namespace Vdi.Grains.Interfaces.Vms;

/// <summary>What a controller's <c>/domains/</c> event says about a domain.</summary>
[GenerateSerializer, Immutable, Alias("DomainChange")]
public sealed record DomainChange(
    [property: Id(0)] Guid ControllerId,
    [property: Id(1)] string Event,
    [property: Id(2)] string? VerboseName,
    [property: Id(3)] PowerState? PowerState,
    [property: Id(4)] string? RawJson);
