using Vdi.Grains.Interfaces.Notifications;

namespace Vdi.Grains.Notifications;

/// <summary>The channels as stored: secrets encrypted with the Data Protection key ring (<see cref="Security.SecretProtector"/>).</summary>
[GenerateSerializer]
public sealed class NotificationsState
{
    [Id(0)] public string Host { get; set; } = "";
    [Id(1)] public int Port { get; set; } = 25;
    [Id(2)] public SmtpSecurity Security { get; set; }
    [Id(3)] public string Username { get; set; } = "";
    [Id(4)] public string ProtectedPassword { get; set; } = "";
    [Id(5)] public string FromAddress { get; set; } = "";
    [Id(6)] public NotificationLevel Level { get; set; } = NotificationLevel.Off;
    [Id(7)] public List<StoredWebhook> Webhooks { get; set; } = [];
}
