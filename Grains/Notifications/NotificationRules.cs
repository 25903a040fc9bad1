using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Notifications;

namespace Vdi.Grains.Notifications;

/// <summary>What a notification channel's settings must satisfy; each violation names its field.</summary>
public static class NotificationRules
{
    public static void Smtp(SmtpChanges smtp)
    {
        Level(smtp.Level, "smtp.level");
        var host = smtp.Host.Trim();
        if (host.Length > 253 || host.Any(char.IsWhiteSpace) || (host.Length == 0 && smtp.Level != NotificationLevel.Off))
        {
            throw BrokerException.Invalid("smtp.host", "smtp.host: the SMTP server's name or address (required unless the level is off)");
        }

        if (smtp.Port is < 1 or > 65535)
        {
            throw BrokerException.Invalid("smtp.port", "smtp.port: 1 to 65535");
        }

        if (!Enum.IsDefined(smtp.Security))
        {
            throw BrokerException.Invalid("smtp.security", "smtp.security: NONE, START_TLS or TLS");
        }

        if (smtp.Username.Length > 256 || (smtp.Password?.Length ?? 0) > 1024)
        {
            throw BrokerException.Invalid("smtp.username", "smtp.username: at most 256 characters, smtp.password at most 1024");
        }

        var from = smtp.FromAddress.Trim();
        if ((from.Length > 0 || smtp.Level != NotificationLevel.Off) && !(from.Length <= 254 && MimeKit.MailboxAddress.TryParse(from, out var parsed) && parsed.Address.Contains('@')))
        {
            throw BrokerException.Invalid("smtp.from_address", "smtp.from_address: the sender's e-mail address");
        }
    }

    public static void Level(NotificationLevel level, string field)
    {
        if (!Enum.IsDefined(level))
        {
            throw BrokerException.Invalid(field, $"{field}: ALL, WARNINGS_AND_ERRORS, ERRORS or OFF");
        }
    }

    public static string WebhookUrl(string? url, int i)
    {
        var text = (url ?? "").Trim();
        return text.Length <= 2048 && Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
               && string.IsNullOrEmpty(uri.UserInfo)
            ? uri.ToString()
            : throw BrokerException.Invalid($"webhooks[{i}].url", $"webhooks[{i}].url: an http(s) URL without credentials, at most 2048 characters");
    }

    public static string WebhookSecret(string secret, int i) =>
        secret.Length is >= 16 and <= 256
            ? secret
            : throw BrokerException.Invalid($"webhooks[{i}].secret", $"webhooks[{i}].secret: 16 to 256 characters");

    /// <summary>Whether an event of this level goes to a channel set to <paramref name="threshold"/>.</summary>
    public static bool Reaches(Interfaces.Journal.JournalLevel level, NotificationLevel threshold) =>
        threshold != NotificationLevel.Off && level != Interfaces.Journal.JournalLevel.Debug && (int)level >= (int)threshold;
}
