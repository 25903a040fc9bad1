using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Notifications;
using Vdi.Grains.Journal;
using Vdi.Grains.Security;

namespace Vdi.Grains.Notifications;

/// <summary>
/// Sends journal events to the notification channels: mail to the active superusers with an e-mail address (the
/// original's rule) and signed JSON POSTs to webhooks, each from its own level on. The journal hands events over
/// without waiting (<see cref="Offer"/>: a bounded queue, never blocking the grain that journals); each message is
/// retried (<see cref="NotificationOptions.RetryDelays"/>), and a channel that keeps failing is journalled once
/// (quietly: that entry is not sent) and tried once per message until it works again.
/// </summary>
public sealed partial class NotificationDispatcher : IAsyncDisposable
{
    public const string HttpClientName = "notifications";
    public const string SignatureHeader = "X-Vdi-Signature";
    public const string TimestampHeader = "X-Vdi-Timestamp";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly IGrainFactory _grains;
    private readonly NpgsqlDataSource _db;
    private readonly SecretProtector _secrets;
    private readonly IHttpClientFactory _http;
    private readonly IServiceProvider _services;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NotificationDispatcher> _logger;
    private readonly Channel<Notice> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _down = [];
    private readonly Task _loop;
    private (NotificationsState State, DateTimeOffset Read)? _config;

    /// <summary>One journal event to send.</summary>
    public sealed record Notice(long Id, JournalLevel Level, string Message, string Description, string? EntityType, Guid? EntityId,
        string User, string ClientAddress, DateTimeOffset Created);

    public NotificationDispatcher(IGrainFactory grains, NpgsqlDataSource db, SecretProtector secrets, IHttpClientFactory http, IServiceProvider services,
        IOptions<NotificationOptions> options, TimeProvider time, ILogger<NotificationDispatcher> logger)
    {
        (_grains, _db, _secrets, _http, _services, _options, _time, _logger) = (grains, db, secrets, http, services, options.Value, time, logger);
        _queue = Channel.CreateBounded<Notice>(new BoundedChannelOptions(_options.QueueLimit) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Events not sent because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    /// <summary>Hands a written journal event over; returns at once.</summary>
    public void Offer(Notice notice, bool quiet)
    {
        if (quiet || notice.Level == JournalLevel.Debug)
        {
            return;
        }

        if (!_queue.Writer.TryWrite(notice))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var notice in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                try
                {
                    await SendAsync(notice, _stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed("dispatch", e.Message); // settings unreadable (the database or the grain away): this event is not sent
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<NotificationsState> ConfigAsync()
    {
        if (_config is { } c && _time.GetUtcNow() - c.Read < _options.SettingsCacheTtl)
        {
            return c.State;
        }

        var state = (await _grains.GetGrain<INotificationsInternalGrain>(0).GetConfigAsync()).State;
        _config = (state, _time.GetUtcNow());
        return state;
    }

    private async Task SendAsync(Notice notice, CancellationToken ct)
    {
        var config = await ConfigAsync();
        if (NotificationRules.Reaches(notice.Level, config.Level))
        {
            await WithRetriesAsync("smtp", () => MailAsync(config, Subject(notice), Body(notice), ct), ct);
        }

        foreach (var hook in config.Webhooks.Where(h => NotificationRules.Reaches(notice.Level, h.Level)))
        {
            await WithRetriesAsync(hook.Url, () => PostAsync(hook, notice, ct), ct);
        }
    }

    /// <summary>One message on one channel: its attempts, or a single one while the channel is known to be down.</summary>
    private async Task WithRetriesAsync(string channel, Func<Task> attempt, CancellationToken ct)
    {
        IReadOnlyList<TimeSpan> delays = _down.Contains(channel) ? [] : _options.Delays;
        for (var i = 0; ; i++)
        {
            try
            {
                await attempt();
                if (_down.Remove(channel))
                {
                    await JournalAsync(JournalLevel.Info, $"Notifications by {Describe(channel)} are sent again.", "");
                }

                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (i < delays.Count)
                {
                    await Task.Delay(delays[i], _time, ct);
                    continue;
                }

                LogFailed(Describe(channel), e.Message);
                if (_down.Add(channel))
                {
                    await JournalAsync(JournalLevel.Warning, $"A notification by {Describe(channel)} could not be sent.",
                        $"{e.Message} Further events are tried once each until it works again.");
                }

                return;
            }
        }
    }

    private static string Describe(string channel) => channel == "smtp" ? "e-mail" : $"webhook {new Uri(channel).GetLeftPart(UriPartial.Authority)}";

    private async Task JournalAsync(JournalLevel level, string message, string description)
    {
        try
        {
            await _services.GetRequiredService<JournalWriter>().WriteAsync(new JournalEntry(level, message, description, EntityType.Security, Quiet: true));
        }
        catch (Exception e) when (e is NpgsqlException or ObjectDisposedException or TimeoutException)
        {
            LogFailed("journal", e.Message);
        }
    }

    /// <summary>The superusers the original mails: active, with an e-mail address.</summary>
    private async Task<IReadOnlyList<string>> RecipientsAsync(CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("select distinct email from vdi_users where is_superuser and is_active and email <> '' order by email");
        var list = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }

    private async Task<IReadOnlyList<string>> MailAsync(NotificationsState config, string subject, string body, CancellationToken ct)
    {
        var recipients = await RecipientsAsync(ct);
        if (recipients.Count == 0)
        {
            return recipients; // nobody to tell: no superuser has an address
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(config.FromAddress));
        foreach (var to in recipients)
        {
            if (MailboxAddress.TryParse(to, out var address))
            {
                message.To.Add(address);
            }
        }

        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        await client.ConnectAsync(config.Host, config.Port, config.Security switch
        {
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.None,
        }, timeout.Token);
        if (config.Username.Length > 0)
        {
            var password = config.ProtectedPassword.Length == 0 ? "" : _secrets.UnprotectNotificationSecret(config.ProtectedPassword)
                ?? throw new InvalidOperationException("the SMTP password cannot be decrypted (another key ring?)");
            await client.AuthenticateAsync(config.Username, password, timeout.Token);
        }

        await client.SendAsync(message, timeout.Token);
        await client.DisconnectAsync(true, timeout.Token);
        return recipients;
    }

    private async Task PostAsync(StoredWebhook hook, Notice notice, CancellationToken ct)
    {
        var secret = _secrets.UnprotectNotificationSecret(hook.ProtectedSecret) ?? throw new InvalidOperationException("the webhook's secret cannot be decrypted");
        var body = JsonSerializer.Serialize(new
        {
            @event = new
            {
                id = notice.Id,
                event_type = (int)notice.Level,
                level = notice.Level.ToString().ToLowerInvariant(),
                message = notice.Message,
                description = notice.Description,
                entity_type = notice.EntityType,
                entity_id = notice.EntityId,
                user = notice.User,
                client_address = notice.ClientAddress,
                created = notice.Created,
            },
            broker = Environment.MachineName,
        }, Json);
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        using var response = await _http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary><c>sha256=</c> and the hex HMAC-SHA256 of <c>timestamp.body</c> with the webhook's secret (how receivers check it).</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private static string Subject(Notice n) => $"[VDI] {n.Level}: {n.Message}";

    private static string Body(Notice n) =>
        $"{n.Message}\n\n{n.Description}\n\nLevel: {n.Level}\nEntity: {n.EntityType} {n.EntityId}\nUser: {n.User}\nAddress: {n.ClientAddress}\nTime: {n.Created:O}\nBroker: {Environment.MachineName}\n";

    /// <summary>The "check connection" button: one test message on every configured channel, no retries.</summary>
    public async Task<NotificationTestResult> TestAsync(NotificationsState config)
    {
        var notice = new Notice(0, JournalLevel.Info, "Test notification from the VDI broker.", "Sent by the notification settings' test.", "SECURITY", null,
            "system", "", _time.GetUtcNow());
        string? smtp = null;
        IReadOnlyList<string> recipients = [];
        if (config.Host.Length > 0)
        {
            try
            {
                recipients = await MailAsync(config, Subject(notice), Body(notice), _stop.Token);
                smtp = recipients.Count == 0 ? "no active superuser has an e-mail address" : null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                smtp = e.Message;
            }
        }
        else
        {
            smtp = "no SMTP server is set";
        }

        // the webhooks at once: ten that do not answer take one timeout, not ten (the grain call allows 90 s)
        var results = await Task.WhenAll(config.Webhooks.Select(async hook =>
        {
            try
            {
                await PostAsync(hook, notice, _stop.Token);
                return (hook.Url, Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
            {
                return (hook.Url, Error: e.Message);
            }
        }));
        var hooks = results.ToDictionary(r => r.Url, r => r.Error);

        _config = null; // what was tested is what the next event uses
        return new NotificationTestResult(smtp, recipients, hooks);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = LogEvents.NotificationFailed, Level = LogLevel.Warning, Message = "A notification by {Channel} could not be sent: {Reason}")]
    private partial void LogFailed(string channel, string reason);
}
