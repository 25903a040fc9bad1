using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>
/// A controller's TLS trust, parsed: the host's store, the site's CA certificates, or one pinned certificate. Pure, so
/// each rule and each decision is tested without a network (<see cref="Validate"/> is what the handshake asks).
/// </summary>
public sealed class ControllerTrust
{
    public const int CaLimitBytes = 64 * 1024;
    public const int CaLimitCertificates = 16;

    public static readonly ControllerTrust System = new(ControllerTls.System, [], []);

    private static readonly ConcurrentDictionary<ControllerTls, ControllerTrust> Stored = new();

    /// <summary>A stored (already checked) trust, parsed once per distinct value in the process.</summary>
    public static ControllerTrust Of(ControllerTls? tls) =>
        tls is null || tls.Mode == ControllerTls.SystemMode ? System : Stored.GetOrAdd(tls, Parse);

    private readonly X509Certificate2[] _authorities;
    private readonly byte[] _pin;

    private ControllerTrust(ControllerTls tls, X509Certificate2[] authorities, byte[] pin)
    {
        Tls = tls;
        _authorities = authorities;
        _pin = pin;
    }

    /// <summary>The normalised form stored in the controller's state (PEM re-encoded, the pin as upper-case hex).</summary>
    public ControllerTls Tls { get; }

    public ControllerTlsView View => new(Tls.Mode, Tls.PinnedSha256.Length > 0 ? Tls.PinnedSha256 : null,
        _authorities.Select(c => new TrustedCertificate(c.Subject, c.NotAfter.ToUniversalTime(), Fingerprint(c))).ToList());

    /// <summary>
    /// Checks what an administrator gave: at most one of CA certificates and pin; the CA text must be PEM
    /// certificates (1 to 16, at most 64 KiB), the pin a SHA-256 fingerprint (64 hex digits, colons and spaces allowed).
    /// </summary>
    public static ControllerTrust Parse(ControllerTls? tls)
    {
        var ca = (tls?.CaCertificates ?? "").Trim();
        var pin = (tls?.PinnedSha256 ?? "").Trim();
        if (ca.Length == 0 && pin.Length == 0)
        {
            return System;
        }

        if (ca.Length > 0 && pin.Length > 0)
        {
            throw BrokerException.Invalid("tls", "tls: give either the CA certificates or a pinned fingerprint, not both");
        }

        if (pin.Length > 0)
        {
            var hex = new string(pin.Where(c => c is not (':' or ' ')).ToArray()).ToUpperInvariant();
            if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
            {
                throw BrokerException.Invalid("tls.pinned_sha256",
                    "tls.pinned_sha256 must be the certificate's SHA-256 fingerprint: 64 hexadecimal digits (openssl x509 -noout -fingerprint -sha256)");
            }

            return new ControllerTrust(new ControllerTls(PinnedSha256: hex), [], Convert.FromHexString(hex));
        }

        if (ca.Length > CaLimitBytes)
        {
            throw BrokerException.Invalid("tls.ca_certificates", $"tls.ca_certificates must be at most {CaLimitBytes / 1024} KiB of PEM");
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(ca.Replace("-----BEGIN", "\n-----BEGIN", StringComparison.Ordinal)); // files pasted end to end
        }
        catch (CryptographicException)
        {
            throw BrokerException.Invalid("tls.ca_certificates", "tls.ca_certificates must be PEM certificates (-----BEGIN CERTIFICATE-----)");
        }

        if (certificates.Count is 0 or > CaLimitCertificates)
        {
            throw BrokerException.Invalid("tls.ca_certificates", $"tls.ca_certificates must hold 1 to {CaLimitCertificates} PEM certificates");
        }

        var authorities = certificates.ToArray();
        var pem = string.Join('\n', authorities.Select(c => c.ExportCertificatePem())) + "\n";
        return new ControllerTrust(new ControllerTls(CaCertificates: pem), authorities, []);
    }

    /// <summary>Upper-case hex SHA-256 of the certificate's DER encoding, as <c>openssl x509 -fingerprint -sha256</c> prints it without colons.</summary>
    public static string Fingerprint(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>
    /// Whether the certificate a controller presented is trusted; when not, why (for the administrator, with the
    /// certificate's fingerprint so that it can be compared or pinned).
    /// </summary>
    public (bool Trusted, string? Reason) Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return (false, "the controller presented no certificate");
        }

        using var presented = new X509Certificate2(certificate);
        var identity = $"{presented.Subject}, SHA-256 {Fingerprint(presented)}";
        switch (Tls.Mode)
        {
            case ControllerTls.PinMode:
                // the exact certificate: names and issuers do not matter, the bytes do
                return CryptographicOperations.FixedTimeEquals(SHA256.HashData(presented.RawData), _pin)
                    ? (true, null)
                    : (false, $"its certificate ({identity}) is not the pinned one");
            case ControllerTls.CaMode:
                if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return (false, $"its certificate ({identity}) is not issued for this address");
                }

                using (var custom = new X509Chain())
                {
                    custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
                    custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA rarely publishes a CRL the broker can reach
                    custom.ChainPolicy.VerificationTime = DateTime.Now;
                    if (chain is not null)
                    {
                        foreach (var element in chain.ChainElements.Skip(1))
                        {
                            custom.ChainPolicy.ExtraStore.Add(element.Certificate); // intermediates the controller sent
                        }
                    }

                    if (custom.Build(presented))
                    {
                        return (true, null);
                    }

                    var status = string.Join(", ", custom.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
                    return (false, $"its certificate ({identity}) is not issued by the controller's CA certificates{(status.Length > 0 ? $": {status}" : "")}");
                }

            default:
                return errors == SslPolicyErrors.None
                    ? (true, null)
                    : (false, $"its certificate ({identity}) is not trusted by this host ({errors}); give the controller's CA certificates or pin its certificate");
        }
    }
}

/// <summary>
/// The trust of each controller the silo talks to, by authority (host:port): the one HTTP handler all controller
/// clients share asks it during each TLS handshake, and keeps why the last handshake to an authority was refused so
/// that the call's error can say so.
/// </summary>
public sealed class ControllerTrustRegistry
{
    private readonly ConcurrentDictionary<string, ControllerTrust> _trust = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _refusals = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The parsed trust for a stored value (<see cref="ControllerTrust.Of"/>).</summary>
    public ControllerTrust Resolve(ControllerTls? tls) => ControllerTrust.Of(tls);

    public void Set(Uri root, ControllerTrust trust) => _trust[root.Authority] = trust;

    public ControllerTrust For(Uri? uri) => uri is not null && _trust.TryGetValue(uri.Authority, out var t) ? t : ControllerTrust.System;

    /// <summary>The handshake's question for a request to <paramref name="uri"/>.</summary>
    public bool Validate(Uri? uri, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var (trusted, reason) = For(uri).Validate(certificate, chain, errors);
        if (uri is not null)
        {
            if (trusted)
            {
                _refusals.TryRemove(uri.Authority, out _);
            }
            else
            {
                _refusals[uri.Authority] = reason ?? "its certificate is not trusted";
            }
        }

        return trusted;
    }

    /// <summary>Why the last handshake with this authority was refused, if it was.</summary>
    public string? Refusal(Uri? uri) => uri is not null && _refusals.TryGetValue(uri.Authority, out var r) ? r : null;
}
