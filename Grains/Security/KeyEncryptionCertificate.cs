using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Vdi.Grains.Security;

/// <summary>
/// The certificate that encrypts the Data Protection key ring at rest (<c>DataProtection:CertificatePath</c> and
/// <c>DataProtection:CertificatePassword</c>, a PKCS#12 file). Without it the keys in Postgres are plain XML and a
/// database dump alone would reveal controller tokens; <c>scripts/run.sh</c> creates one under <c>.data/secrets</c>.
/// </summary>
public static class KeyEncryptionCertificate
{
    public const string PathKey = "DataProtection:CertificatePath";
    public const string PasswordKey = "DataProtection:CertificatePassword";

    /// <summary>The configured certificate, null when none is configured; throws with the setting named when it cannot be read.</summary>
    public static X509Certificate2? Load(IConfiguration? configuration)
    {
        var path = configuration?[PathKey];
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        return Shared.Security.CertificateFiles.LoadWithKey(path, configuration?[PasswordKey], PathKey, PasswordKey);
    }
}
