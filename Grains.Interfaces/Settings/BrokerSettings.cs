namespace Vdi.Grains.Interfaces.Settings;

/// <summary>The settings an administrator changes at run time (the original's <c>settings</c> row).</summary>
[GenerateSerializer, Immutable, Alias("BrokerSettings")]
public sealed record BrokerSettings(
    [property: Id(0)] bool DisconnectInactiveConnections,
    [property: Id(1)] int AfkTimeoutSeconds,
    [property: Id(2)] int ThinClientLimit,
    [property: Id(3)] PasswordSecurityLevel PasswordSecurityLevel,
    [property: Id(4)] int PasswordExpirationDays = 0,
    [property: Id(5)] int PasswordHistory = BrokerSettings.DefaultPasswordHistory,
    [property: Id(6)] int? ResourceCacheSeconds = null)
{
    /// <summary>How many earlier passwords a new one may not repeat, unless an administrator changes it.</summary>
    public const int DefaultPasswordHistory = 5;

    /// <summary>The longest a controller's resource lists may be served from the broker's cache (the original's Caching page).</summary>
    public const int MaxResourceCacheSeconds = 3600;
}
