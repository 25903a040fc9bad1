namespace Vdi.Grains.Interfaces.Settings;

/// <summary>The original's PASSWORD_SECURITY_LEVEL.</summary>
[GenerateSerializer, Alias("PasswordSecurityLevel")]
public enum PasswordSecurityLevel
{
    Low = 0,
    Middle = 1,
    High = 2,
}
