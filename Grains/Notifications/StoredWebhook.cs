using Vdi.Grains.Interfaces.Notifications;

namespace Vdi.Grains.Notifications;

[GenerateSerializer, Immutable, Alias("StoredWebhook")]
public sealed record StoredWebhook(
    [property: Id(0)] string Url,
    [property: Id(1)] string ProtectedSecret,
    [property: Id(2)] NotificationLevel Level);
