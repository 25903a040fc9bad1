namespace Vdi.Grains.Interfaces.Settings;

/// <summary>A change to the settings; null fields stay.</summary>
[GenerateSerializer, Immutable, Alias("BrokerSettingsChanges")]
public sealed record BrokerSettingsChanges(
    [property: Id(0)] bool? DisconnectInactiveConnections = null,
    [property: Id(1)] int? AfkTimeoutSeconds = null,
    [property: Id(2)] int? ThinClientLimit = null,
    [property: Id(3)] PasswordSecurityLevel? PasswordSecurityLevel = null,
    [property: Id(4)] int? PasswordExpirationDays = null,
    [property: Id(5)] int? PasswordHistory = null,
    [property: Id(6)] int? ResourceCacheSeconds = null);
