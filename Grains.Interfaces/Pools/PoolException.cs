namespace Vdi.Grains.Interfaces.Pools;

/// <summary>A refused pool or VM operation; <see cref="Field"/> names the offending setting when there is one.</summary>
[GenerateSerializer, Alias("PoolException")]
public sealed class PoolException(PoolErrorKind kind, string message, string? field = null) : Exception(message)
{
    [Id(0)]
    public PoolErrorKind Kind { get; } = kind;

    [Id(1)]
    public string? Field { get; } = field;
}
