namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>Where a controller's event stream is held and whether it is connected.</summary>
[GenerateSerializer, Immutable, Alias("ListenerState")]
public sealed record ListenerState(
    [property: Id(0)] bool Running,
    [property: Id(1)] bool Connected,
    [property: Id(2)] string Silo,
    [property: Id(3)] int Connections);
