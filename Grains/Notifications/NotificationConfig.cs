namespace Vdi.Grains.Notifications;

/// <summary>What the silo's dispatcher needs: the stored channels, secrets still encrypted.</summary>
[GenerateSerializer, Immutable, Alias("NotificationConfig")]
public sealed record NotificationConfig(
    [property: Id(0)] NotificationsState State);
