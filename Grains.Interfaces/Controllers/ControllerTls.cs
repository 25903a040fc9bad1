namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>
/// How the broker trusts a controller's HTTPS certificate. ECP controllers often serve a self-signed certificate or
/// one from a site's private CA; instead of adding it to the host's store, an administrator gives, per controller,
/// either the CA certificates (PEM) that issue it or the SHA-256 fingerprint of the certificate itself. Both empty:
/// the host's trust store, as for any HTTPS site.
/// </summary>
[GenerateSerializer, Immutable, Alias("ControllerTls")]
public sealed record ControllerTls(
    [property: Id(0)] string CaCertificates = "",
    [property: Id(1)] string PinnedSha256 = "")
{
    public const string SystemMode = "system";
    public const string CaMode = "ca";
    public const string PinMode = "pin";

    /// <summary>The host's trust store.</summary>
    public static readonly ControllerTls System = new();

    /// <summary><c>system</c>, <c>ca</c> or <c>pin</c>.</summary>
    public string Mode => PinnedSha256.Length > 0 ? PinMode : CaCertificates.Length > 0 ? CaMode : SystemMode;
}

/// <summary>A controller's TLS trust as the admin API shows it: the mode, the pin, and the CA certificates' identity.</summary>
[GenerateSerializer, Immutable, Alias("ControllerTlsView")]
public sealed record ControllerTlsView(
    [property: Id(0)] string Mode,
    [property: Id(1)] string? PinnedSha256,
    [property: Id(2)] IReadOnlyList<TrustedCertificate> CaCertificates);

/// <summary>One CA certificate a controller's trust names.</summary>
[GenerateSerializer, Immutable, Alias("TrustedCertificate")]
public sealed record TrustedCertificate(
    [property: Id(0)] string Subject,
    [property: Id(1)] DateTimeOffset NotAfter,
    [property: Id(2)] string Sha256);
