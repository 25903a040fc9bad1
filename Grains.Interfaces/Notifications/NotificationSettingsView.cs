namespace Vdi.Grains.Interfaces.Notifications;

[GenerateSerializer, Immutable, Alias("NotificationSettingsView")]
public sealed record NotificationSettingsView(
    [property: Id(0)] SmtpSettingsView Smtp,
    [property: Id(1)] IReadOnlyList<WebhookView> Webhooks);
