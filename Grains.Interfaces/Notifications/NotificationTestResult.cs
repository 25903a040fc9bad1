namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>What the "check connection" button learnt: per channel, null when it worked, else why not.</summary>
[GenerateSerializer, Immutable, Alias("NotificationTestResult")]
public sealed record NotificationTestResult(
    [property: Id(0)] string? Smtp,
    [property: Id(1)] IReadOnlyList<string> Recipients,
    [property: Id(2)] IReadOnlyDictionary<string, string?> Webhooks);
