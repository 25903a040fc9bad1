namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>The SMTP channel as the admin API shows it: the password never comes back, only whether one is set.</summary>
[GenerateSerializer, Immutable, Alias("SmtpSettingsView")]
public sealed record SmtpSettingsView(
    [property: Id(0)] string Host,
    [property: Id(1)] int Port,
    [property: Id(2)] SmtpSecurity Security,
    [property: Id(3)] string Username,
    [property: Id(4)] bool HasPassword,
    [property: Id(5)] string FromAddress,
    [property: Id(6)] NotificationLevel Level);
