namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>A webhook: a JSON POST signed with its secret (HMAC-SHA256), for chat and incident tools.</summary>
[GenerateSerializer, Immutable, Alias("WebhookView")]
public sealed record WebhookView(
    [property: Id(0)] string Url,
    [property: Id(1)] bool HasSecret,
    [property: Id(2)] NotificationLevel Level);
