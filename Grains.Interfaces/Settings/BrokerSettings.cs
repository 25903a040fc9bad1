namespace Vdi.Grains.Interfaces.Settings;

/// <summary>The settings an administrator changes at run time (the original's <c>settings</c> row).</summary>
[GenerateSerializer, Immutable, Alias("BrokerSettings")]
public sealed record BrokerSettings(
    [property: Id(0)] bool DisconnectInactiveConnections,
    [property: Id(1)] int AfkTimeoutSeconds,
    [property: Id(2)] int ThinClientLimit,
    [property: Id(3)] PasswordSecurityLevel PasswordSecurityLevel);
