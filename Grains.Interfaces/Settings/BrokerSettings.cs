namespace Vdi.Grains.Interfaces.Settings;

/// <summary>The original's PASSWORD_SECURITY_LEVEL.</summary>
[GenerateSerializer, Alias("PasswordSecurityLevel")]
public enum PasswordSecurityLevel
{
    Low = 0,
    Middle = 1,
    High = 2,
}

/// <summary>The settings an administrator changes at run time (the original's <c>settings</c> row).</summary>
[GenerateSerializer, Immutable, Alias("BrokerSettings")]
public sealed record BrokerSettings(
    [property: Id(0)] bool DisconnectInactiveConnections,
    [property: Id(1)] int AfkTimeoutSeconds,
    [property: Id(2)] int ThinClientLimit,
    [property: Id(3)] PasswordSecurityLevel PasswordSecurityLevel);

/// <summary>A change to the settings; null fields stay.</summary>
[GenerateSerializer, Immutable, Alias("BrokerSettingsChanges")]
public sealed record BrokerSettingsChanges(
    [property: Id(0)] bool? DisconnectInactiveConnections = null,
    [property: Id(1)] int? AfkTimeoutSeconds = null,
    [property: Id(2)] int? ThinClientLimit = null,
    [property: Id(3)] PasswordSecurityLevel? PasswordSecurityLevel = null);

/// <summary>The broker's run-time settings, one grain for the cluster (key 0).</summary>
[Alias("ISettingsGrain")]
public interface ISettingsGrain : IGrainWithIntegerKey
{
    [Alias("GetAsync"), Orleans.Concurrency.ReadOnly]
    Task<BrokerSettings> GetAsync();

    /// <summary>Validates (a bad value is a <see cref="Errors.BrokerException"/> naming the field), stores and journals the change.</summary>
    [Alias("UpdateAsync")]
    Task<BrokerSettings> UpdateAsync(BrokerSettingsChanges changes, string by);
}

/// <summary>The password security levels: what a new password must have.</summary>
public static class PasswordPolicy
{
    /// <summary>Null when the password is acceptable, otherwise what it lacks.</summary>
    public static string? Check(PasswordSecurityLevel level, string? password)
    {
        password ??= "";
        var (length, classes) = level switch
        {
            PasswordSecurityLevel.High => (12, 4),
            PasswordSecurityLevel.Middle => (10, 3),
            _ => (8, 1),
        };
        if (password.Length < length)
        {
            return $"password: at least {length} characters (password security level {level.ToString().ToUpperInvariant()})";
        }

        var have = new[] { password.Any(char.IsLower), password.Any(char.IsUpper), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) }.Count(x => x);
        return have >= classes
            ? null
            : $"password: needs {classes} of lower-case letters, capitals, digits and other characters (password security level {level.ToString().ToUpperInvariant()})";
    }
}
