using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.Grains.Controllers;

/// <summary>
/// What a controller's registration must satisfy (like <c>PoolRules</c> for pools): pure, so each rule is tested
/// without a cluster. Every violation is a <see cref="BrokerException"/> naming the field.
/// </summary>
public static class ControllerRules
{
    public const int NameLimit = 128;
    public const int DescriptionLimit = 256;
    public const int TokenLimit = 2048;

    public static string Name(string? name)
    {
        var n = (name ?? "").Trim();
        return n.Length is > 0 and <= NameLimit ? n : throw BrokerException.Invalid("verbose_name", $"verbose_name must be 1 to {NameLimit} characters");
    }

    public static ControllerAddress Address(string? address) =>
        ControllerAddress.TryParse(address, out var a, out var error) ? a : throw BrokerException.Invalid("address", error);

    /// <summary>The integration key, with or without the <c>jwt </c> prefix the controller's UI shows.</summary>
    public static string Token(string? token)
    {
        var t = (token ?? "").Trim();
        if (t.StartsWith("jwt ", StringComparison.OrdinalIgnoreCase))
        {
            t = t[4..].Trim();
        }

        return t.Length is > 0 and <= TokenLimit && !t.Any(char.IsWhiteSpace)
            ? t
            : throw BrokerException.Invalid("token", $"token must be the controller's integration key (1 to {TokenLimit} characters, no spaces)");
    }

    public static string Description(string? description)
    {
        var d = (description ?? "").Trim();
        return d.Length <= DescriptionLimit ? d : throw BrokerException.Invalid("description", $"description must be at most {DescriptionLimit} characters");
    }

    /// <summary>The version the controller reported, if the broker supports it.</summary>
    public static string Version(string reported, Version minimum) =>
        System.Version.TryParse(reported, out var version) && version >= minimum
            ? reported
            : throw new BrokerException(ErrorKind.UnsupportedVersion, $"the controller runs ECP VeiL {reported}; the broker needs {minimum} or newer", "address");

    /// <summary>Why asking a would-be controller for its version failed, in the administrator's terms.</summary>
    public static BrokerException VersionFailure(EcpException e) => e.Kind switch
    {
        EcpErrorKind.Unauthorized => new BrokerException(ErrorKind.TokenRejected, "token: the controller rejected the integration key", "token"),
        EcpErrorKind.Unreachable or EcpErrorKind.ServerError => new BrokerException(ErrorKind.ControllerUnreachable, $"address: {e.Message}", "address"),
        _ => new BrokerException(ErrorKind.ControllerUnreachable, $"address: this does not look like an ECP VeiL controller ({e.Message})", "address"),
    };

    /// <summary>What a failed call means for a registered controller: a rejected key or a controller that is down.</summary>
    public static BrokerException CallFailure(EcpException e) => e.Kind == EcpErrorKind.Unauthorized
        ? new BrokerException(ErrorKind.TokenRejected, e.Message, "token")
        : new BrokerException(ErrorKind.ControllerUnreachable, e.Message);
}
