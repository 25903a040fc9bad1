using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Vdi.Grains.Security;

/// <summary>
/// Encrypts secrets kept in grain state (controller tokens, TOTP secrets, directory service passwords) with the shared
/// Data Protection key ring. Each kind has its own purpose, so one kind's ciphertext never decrypts as another's.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _controllerTokens = provider.CreateProtector("Vdi.Controllers.Token.v1");
    private readonly IDataProtector _totpSecrets = provider.CreateProtector("Vdi.Users.Totp.v1");
    private readonly IDataProtector _directoryPasswords = provider.CreateProtector("Vdi.Directories.ServicePassword.v1");
    private readonly IDataProtector _notificationSecrets = provider.CreateProtector("Vdi.Notifications.Secret.v1");

    /// <summary>The SMTP password and the webhooks' signing secrets.</summary>
    public string ProtectNotificationSecret(string secret) => _notificationSecrets.Protect(secret);

    public string? UnprotectNotificationSecret(string protectedSecret) => TryUnprotect(_notificationSecrets, protectedSecret);

    public string ProtectTotpSecret(string secret) => _totpSecrets.Protect(secret);

    public string? UnprotectTotpSecret(string protectedSecret) => TryUnprotect(_totpSecrets, protectedSecret);

    public string ProtectControllerToken(string token) => _controllerTokens.Protect(token);

    /// <summary>The token, or null when the key that protected it is gone.</summary>
    public string? UnprotectControllerToken(string protectedToken) => TryUnprotect(_controllerTokens, protectedToken);

    public string ProtectDirectoryPassword(string password) => _directoryPasswords.Protect(password);

    /// <summary>The service account's password, or null when the key that protected it is gone.</summary>
    public string? UnprotectDirectoryPassword(string protectedPassword) => TryUnprotect(_directoryPasswords, protectedPassword);

    private static string? TryUnprotect(IDataProtector protector, string protectedValue)
    {
        try
        {
            return protector.Unprotect(protectedValue);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
