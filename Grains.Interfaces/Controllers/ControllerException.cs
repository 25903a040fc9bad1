namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>A refused controller operation, with a message fit for the administrator.</summary>
[GenerateSerializer, Alias("ControllerException")]
public sealed class ControllerException(ControllerErrorKind kind, string message) : Exception(message)
{
    [Id(0)]
    public ControllerErrorKind Kind { get; } = kind;
}
