using Vdi.Grains.Interfaces.Errors;
namespace Vdi.Grains.Controllers.Ecp;

/// <summary>A failed call to a controller; the message carries ECP's own detail, never the token.</summary>
public sealed class EcpException(EcpErrorKind kind, string message, int? status = null, Exception? inner = null)
    : Exception(message, inner)
{
    public EcpErrorKind Kind { get; } = kind;

    public int? Status { get; } = status;

    /// <summary>True when the controller as a whole is unwell (FAILED), not just this request.</summary>
    public bool MeansControllerDown => Kind is EcpErrorKind.Unreachable or EcpErrorKind.ServerError;
}
