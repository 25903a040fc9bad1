namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>The broker's notification channels (one grain, key 0): SMTP mail to active superusers, and webhooks.</summary>
[Alias("INotificationsGrain")]
public interface INotificationsGrain : IGrainWithIntegerKey
{
    [Alias("GetAsync")]
    Task<NotificationSettingsView> GetAsync();

    /// <summary>Replaces the channels (null SMTP: keeps it; null webhooks: keeps them); checked and journalled.</summary>
    [Alias("UpdateAsync")]
    Task<NotificationSettingsView> UpdateAsync(SmtpChanges? smtp, IReadOnlyList<WebhookChange>? webhooks, string by);

    /// <summary>Sends a test message on every configured channel now.</summary>
    [Alias("TestAsync"), ResponseTimeout("00:01:30")]
    Task<NotificationTestResult> TestAsync(string by);
}
