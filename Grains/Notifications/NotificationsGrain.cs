using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Notifications;
using Vdi.Grains.Journal;
using Vdi.Grains.Security;

namespace Vdi.Grains.Notifications;

/// <summary>
/// The notification channels (the original's SMTP settings, plus webhooks): checked, secrets encrypted, changes
/// journalled. Sending is the silo's <see cref="NotificationDispatcher"/>'s: the grain is never on a journal write's path.
/// </summary>
[GrainType("notifications")]
public sealed class NotificationsGrain(
    [PersistentState("notifications", StorageNames.Main)] IPersistentState<NotificationsState> state,
    SecretProtector secrets,
    NotificationDispatcher dispatcher,
    JournalWriter journal) : Grain, INotificationsGrain, INotificationsInternalGrain
{
    public const int WebhookLimit = 10;

    private NotificationsState S => state.State;

    public Task<NotificationSettingsView> GetAsync() => Task.FromResult(View(S));

    public Task<NotificationConfig> GetConfigAsync() => Task.FromResult(new NotificationConfig(S));

    public async Task<NotificationSettingsView> UpdateAsync(SmtpChanges? smtp, IReadOnlyList<WebhookChange>? webhooks, string by)
    {
        var next = new NotificationsState
        {
            Host = S.Host, Port = S.Port, Security = S.Security, Username = S.Username, ProtectedPassword = S.ProtectedPassword,
            FromAddress = S.FromAddress, Level = S.Level, Webhooks = [.. S.Webhooks],
        };
        var changes = new List<string>();
        if (smtp is not null)
        {
            NotificationRules.Smtp(smtp);
            void Note(string field, object? before, object? after)
            {
                if (!Equals(before, after))
                {
                    changes.Add($"smtp.{field}: {before} -> {after}");
                }
            }

            Note("host", next.Host, smtp.Host.Trim());
            Note("port", next.Port, smtp.Port);
            Note("security", next.Security, smtp.Security);
            Note("username", next.Username, smtp.Username.Trim());
            Note("from_address", next.FromAddress, smtp.FromAddress.Trim());
            Note("level", next.Level, smtp.Level);
            (next.Host, next.Port, next.Security, next.Username, next.FromAddress, next.Level) =
                (smtp.Host.Trim(), smtp.Port, smtp.Security, smtp.Username.Trim(), smtp.FromAddress.Trim(), smtp.Level);
            if (smtp.Password is { } password)
            {
                next.ProtectedPassword = password.Length == 0 ? "" : secrets.ProtectNotificationSecret(password);
                changes.Add("smtp.password: changed");
            }
        }

        if (webhooks is not null)
        {
            if (webhooks.Count > WebhookLimit)
            {
                throw BrokerException.Invalid("webhooks", $"webhooks: at most {WebhookLimit}");
            }

            var kept = new List<StoredWebhook>();
            foreach (var (hook, i) in webhooks.Select((h, i) => (h, i)))
            {
                var url = NotificationRules.WebhookUrl(hook.Url, i);
                var existing = S.Webhooks.FirstOrDefault(w => w.Url == url);
                var secret = hook.Secret is { } given
                    ? secrets.ProtectNotificationSecret(NotificationRules.WebhookSecret(given, i))
                    : existing?.ProtectedSecret ?? throw BrokerException.Invalid($"webhooks[{i}].secret", $"webhooks[{i}].secret: a new webhook needs a signing secret (16 to 256 characters)");
                NotificationRules.Level(hook.Level, $"webhooks[{i}].level");
                kept.Add(new StoredWebhook(url, secret, hook.Level));
            }

            if (kept.Select(w => w.Url).Distinct().Count() != kept.Count)
            {
                throw BrokerException.Invalid("webhooks", "webhooks: each URL once");
            }

            if (!kept.Select(w => (w.Url, w.Level)).SequenceEqual(S.Webhooks.Select(w => (w.Url, w.Level))) || webhooks.Any(w => w.Secret is not null))
            {
                changes.Add($"webhooks: {string.Join(", ", S.Webhooks.Select(w => w.Url))} -> {string.Join(", ", kept.Select(w => w.Url))}");
            }

            next.Webhooks = kept;
        }

        if (changes.Count > 0)
        {
            state.State = next;
            await state.WriteOrForgetAsync(this);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, "Notification settings changed.", string.Join("\n", changes), EntityType.Security, null, by));
        }

        return View(S);
    }

    public async Task<NotificationTestResult> TestAsync(string by)
    {
        var result = await dispatcher.TestAsync(S);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, "Notification channels tested.",
            $"SMTP: {result.Smtp ?? "sent"} to {string.Join(", ", result.Recipients)}. " + string.Join(" ", result.Webhooks.Select(w => $"{w.Key}: {w.Value ?? "sent"}.")),
            EntityType.Security, null, by, Quiet: true));
        return result;
    }

    private static NotificationSettingsView View(NotificationsState s) =>
        new(new SmtpSettingsView(s.Host, s.Port, s.Security, s.Username, s.ProtectedPassword.Length > 0, s.FromAddress, s.Level),
            [.. s.Webhooks.Select(w => new WebhookView(w.Url, w.ProtectedSecret.Length > 0, w.Level))]);
}
