using Vdi.Grains.Interfaces.Errors;

namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>The wire form of <see cref="ThinClientError"/> and the code a refusal kind answers a thin client with.</summary>
public static class ThinClientErrors
{
    /// <summary>"001" to "007".</summary>
    public static string Code(this ThinClientError error) => ((int)error).ToString("000", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The code of a refusal that has one for a thin client; null for kinds answered as plain HTTP errors (404, 400).</summary>
    public static ThinClientError? For(ErrorKind kind) => kind switch
    {
        ErrorKind.ControllerUnavailable or ErrorKind.ControllerUnreachable or ErrorKind.VmUnreachable or ErrorKind.VmLost or ErrorKind.TokenRejected => ThinClientError.VmUnreachable,
        ErrorKind.Timeout => ThinClientError.Timeout,
        ErrorKind.UnknownProtocol => ThinClientError.UnknownProtocol,
        ErrorKind.Busy => ThinClientError.PoolBusy,
        _ => null,
    };
}
