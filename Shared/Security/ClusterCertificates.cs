using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Vdi.Shared.Security;

/// <summary>
/// The cluster's mutual TLS (section <c>ClusterTls</c>): every silo and gateway presents a certificate issued by the
/// cluster's own CA and accepts a peer only when its certificate chains to that CA, so a process that merely reaches
/// the silo and gateway ports cannot join the cluster or call a grain. <c>CertificatePath</c> and
/// <c>CertificatePassword</c>: this process's PKCS#12 file; <c>CaPath</c>: the CA certificate (PEM or DER). The scripts
/// make them under <c>.data/secrets</c>; a real deployment issues them from its own CA.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    public const string PathKey = "ClusterTls:CertificatePath";
    public const string PasswordKey = "ClusterTls:CertificatePassword";
    public const string CaPathKey = "ClusterTls:CaPath";

    /// <summary>The name every cluster certificate answers to (peers are reached by IP address, so names are not what authenticates).</summary>
    public const string TargetHost = "vdi-cluster";

    private ClusterCertificates(X509Certificate2 certificate, X509Certificate2 authority)
    {
        Certificate = certificate;
        Authority = authority;
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Authority { get; }

    /// <summary>The configured certificates, null when <c>ClusterTls</c> is not configured; throws naming the setting when they cannot be read.</summary>
    public static ClusterCertificates? Load(IConfiguration configuration)
    {
        var path = configuration[PathKey];
        var ca = configuration[CaPathKey];
        if (string.IsNullOrWhiteSpace(path) && string.IsNullOrWhiteSpace(ca))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(path) || string.IsNullOrWhiteSpace(ca))
        {
            throw new InvalidOperationException($"{PathKey} and {CaPathKey} go together: set both for the cluster's mutual TLS, or neither");
        }

        var certificate = CertificateFiles.LoadWithKey(path, configuration[PasswordKey], PathKey, PasswordKey);
        try
        {
            return new ClusterCertificates(certificate, CertificateFiles.LoadPublic(ca, CaPathKey));
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>Whether a peer's certificate was issued by the cluster's CA (the system's trust store plays no part, nor the host name).</summary>
    public bool IsClusterPeer(X509Certificate? remote, SslPolicyErrors errors)
    {
        if (remote is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        using var peer = X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(peer) && chain.ChainElements[^1].Certificate.Thumbprint == Authority.Thumbprint;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }
}
