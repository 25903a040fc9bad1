namespace Vdi.Grains.Notifications;

/// <summary>Silo-only: the dispatcher reads the channels (secrets encrypted: only silos decrypt them).</summary>
[Alias("INotificationsInternalGrain")]
internal interface INotificationsInternalGrain : IGrainWithIntegerKey
{
    [Alias("GetConfigAsync")]
    Task<NotificationConfig> GetConfigAsync();
}
