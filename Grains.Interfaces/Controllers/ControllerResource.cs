namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>A cluster, node, resource pool, data pool, template or VM on a controller, for the admin's browsing.</summary>
[GenerateSerializer, Immutable, Alias("ControllerResource")]
public sealed record ControllerResource(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string VerboseName,
    [property: Id(2)] string Status,
    [property: Id(3)] IReadOnlyDictionary<string, string> Details,
    [property: Id(4)] Vms.PowerState? PowerState = null);
