using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers;

/// <summary>How silo code reaches a controller. The token stays encrypted; only silos can decrypt it.</summary>
[GenerateSerializer, Immutable, Alias("ControllerConnection")]
public sealed record ControllerConnection(
    [property: Id(0)] string Address,
    [property: Id(1)] string ProtectedToken,
    [property: Id(2)] ControllerStatus Status,
    [property: Id(3)] ControllerTls? Tls = null);
