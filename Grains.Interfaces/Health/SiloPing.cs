namespace Vdi.Grains.Interfaces.Health;

/// <summary>Which silo answered a health probe, and when.</summary>
[GenerateSerializer, Immutable, Alias("SiloPing")]
public sealed record SiloPing(
    [property: Id(0)] string Silo,
    [property: Id(1)] DateTimeOffset At);
