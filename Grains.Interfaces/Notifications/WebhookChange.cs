namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>A webhook to keep; a null secret keeps the stored one of the same URL.</summary>
[GenerateSerializer, Immutable, Alias("WebhookChange")]
public sealed record WebhookChange(
    [property: Id(0)] string Url,
    [property: Id(1)] string? Secret,
    [property: Id(2)] NotificationLevel Level)
{
    public override string ToString() => $"WebhookChange {{ Url = {Url}, Secret = {(Secret is null ? "unchanged" : "new")} }}";
}
