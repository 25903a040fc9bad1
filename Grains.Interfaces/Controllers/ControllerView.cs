namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>A controller as callers see it; the token never leaves the grain.</summary>
[GenerateSerializer, Immutable, Alias("ControllerView")]
public sealed record ControllerView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string VerboseName,
    [property: Id(2)] string Address,
    [property: Id(3)] string Description,
    [property: Id(4)] ControllerStatus Status,
    [property: Id(5)] string Version,
    [property: Id(6)] string? StatusReason,
    [property: Id(7)] DateTimeOffset Created,
    [property: Id(8)] DateTimeOffset Updated,
    [property: Id(9)] ControllerTlsView? Tls = null);
