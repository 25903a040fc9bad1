using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Vdi.Grains.Security;

/// <summary>Encrypts secrets kept in grain state (controller tokens, TOTP secrets, directory service passwords) with the shared Data Protection key ring.</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _controllerTokens = provider.CreateProtector("Vdi.Controllers.Token.v1");
    private readonly IDataProtector _totpSecrets = provider.CreateProtector("Vdi.Users.Totp.v1");
    private readonly IDataProtector _directoryPasswords = provider.CreateProtector("Vdi.Directories.ServicePassword.v1");

    public string ProtectDirectoryPassword(string password) => _directoryPasswords.Protect(password);

    /// <summary>The service account's password, or null when the key that protected it is gone.</summary>
    public string? UnprotectDirectoryPassword(string protectedPassword)
    {
        try
        {
            return _directoryPasswords.Unprotect(protectedPassword);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public string ProtectTotpSecret(string secret) => _totpSecrets.Protect(secret);

    public string? UnprotectTotpSecret(string protectedSecret)
    {
        try
        {
            return _totpSecrets.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public string ProtectControllerToken(string token) => _controllerTokens.Protect(token);

    /// <summary>The token, or null when the key that protected it is gone.</summary>
    public string? UnprotectControllerToken(string protectedToken)
    {
        try
        {
            return _controllerTokens.Unprotect(protectedToken);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
