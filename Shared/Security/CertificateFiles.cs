using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vdi.Shared.Security;

/// <summary>Reads the certificates the broker is configured with, naming the setting in every refusal.</summary>
public static class CertificateFiles
{
    /// <summary>A PKCS#12 file with its private key (the key set ephemeral: nothing is written to the machine's stores).</summary>
    public static X509Certificate2 LoadWithKey(string path, string? password, string pathKey, string passwordKey)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{pathKey}: no file at {path}");
        }

        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
            return certificate.HasPrivateKey
                ? certificate
                : throw new InvalidOperationException($"{pathKey}: the certificate in {path} has no private key");
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{pathKey}: {path} cannot be read with {passwordKey} ({e.Message})", e);
        }
    }

    /// <summary>A certificate without its key (PEM or DER), such as a CA's.</summary>
    public static X509Certificate2 LoadPublic(string path, string pathKey)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{pathKey}: no file at {path}");
        }

        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{pathKey}: {path} is not a certificate ({e.Message})", e);
        }
    }
}
