using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Journal;
using Vdi.Grains.Notifications;
using Vdi.Tests.Fixtures;
using Vdi.Tests.Production;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 17: notifications. A real SMTP server on loopback (Debian's aiosmtpd, storing mail in a Maildir) and a local
/// HTTP receiver: events at or above each channel's level reach the active superusers' mailboxes and the webhook
/// (signed), a dead SMTP server is journalled once and mail flows again once it is back, the test button reports.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class NotificationTests(LiveSystemFixture system)
{
    /// <summary>aiosmtpd on a port of its own, storing what it receives under <c>maildir/new</c>.</summary>
    private sealed class SmtpServer : IAsyncDisposable
    {
        private Process? _process;

        public int Port { get; }

        public string Maildir { get; }

        /// <param name="port">The port of a server started again in its place (none: a free one).</param>
        public SmtpServer(string folder, int? port = null) => (Maildir, Port) = (Path.Combine(folder, "maildir"), port ?? FreePort.Next());

        public async Task StartAsync()
        {
            _process = Process.Start(new ProcessStartInfo("/usr/bin/python3",
                ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir])
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, Port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(20)), "aiosmtpd did not start (apt-get install python3-aiosmtpd)");
        }

        /// <summary>SIGKILL: the server is gone, as a crashed mail relay is.</summary>
        public async Task KillAsync()
        {
            _process!.Kill();
            await _process.WaitForExitAsync();
        }

        public IReadOnlyList<string> Messages() =>
            Directory.Exists(Path.Combine(Maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(Maildir, "new")).Select(File.ReadAllText)] : [];

        public async ValueTask DisposeAsync()
        {
            if (_process is { HasExited: false })
            {
                await KillAsync();
            }

            _process?.Dispose();
        }
    }

    [Fact]
    public async Task Events_reach_superusers_mailboxes_and_a_signed_webhook_from_each_channels_level_and_a_dead_mail_server_is_journalled_once()
    {
        using var folder = new TempFolder();
        await using var smtp = new SmtpServer(folder.Path);
        await smtp.StartAsync();

        // the webhook receiver: a local HTTP server that keeps what it is sent
        var received = new ConcurrentQueue<(string Body, string Timestamp, string Signature)>();
        var receiver = WebApplication.CreateBuilder(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]).Build();
        receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            received.Enqueue((await reader.ReadToEndAsync(), request.Headers[NotificationDispatcher.TimestampHeader].ToString(),
                request.Headers[NotificationDispatcher.SignatureHeader].ToString()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var hookUrl = $"{receiver.Urls.First()}/hook";

        var id = Guid.NewGuid().ToString("N")[..8];
        var email = $"su-{id}@example.test";
        await system.Grains.ForName($"su-{id}").CreateUserAsync(new NewUser($"su-{id}", "Superuser-pass-1", true, [], "tests", Email: email));
        using var admin = GatewayClients.Http(system.GatewayUrls[0], await GatewayClients.LoginAsync(system.GatewayUrls[0], system.AdminUsername, system.AdminPassword));
        const string secret = "webhook-secret-0123456789";
        var journal = system.SiloServices.GetRequiredService<JournalWriter>();
        try
        {
            var put = await admin.PutAsJsonAsync("/api/admin/notifications", new
            {
                smtp = new { host = "127.0.0.1", port = smtp.Port, security = "NONE", from_address = "vdi@example.test", level = "WARNINGS_AND_ERRORS" },
                webhooks = new[] { new { url = hookUrl, secret, level = "ERRORS" } },
            });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var view = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(view.GetProperty("webhooks")[0].GetProperty("has_secret").GetBoolean());
            Assert.DoesNotContain(secret, view.ToString());

            // a bad setting is a 400 naming the field; a new webhook needs its secret
            var bad = await admin.PutAsJsonAsync("/api/admin/notifications", new { smtp = new { port = 70000 } });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("smtp.port", await bad.Content.ReadAsStringAsync());
            var unsigned = await admin.PutAsJsonAsync("/api/admin/notifications", new { webhooks = new[] { new { url = "https://chat.example.test/x", level = "ERRORS" } } });
            Assert.Contains("webhooks[0].secret", await unsigned.Content.ReadAsStringAsync());

            // info: nowhere; warning: mail only; error: mail and webhook
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"info-{id} happened"));
            await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"warn-{id} happened", "a warning's description"));
            await journal.WriteAsync(new JournalEntry(JournalLevel.Error, $"err-{id} happened"));
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(
                    smtp.Messages().Any(m => m.Contains($"warn-{id}", StringComparison.Ordinal)) && received.Any(r => r.Body.Contains($"err-{id}", StringComparison.Ordinal))),
                TimeSpan.FromSeconds(20)), $"mail: {smtp.Messages().Count}, webhook: {received.Count}");
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(smtp.Messages().Any(m => m.Contains($"err-{id}", StringComparison.Ordinal))), TimeSpan.FromSeconds(10)));
            var warning = smtp.Messages().Single(m => m.Contains($"warn-{id}", StringComparison.Ordinal));
            Assert.Contains(email, warning);
            Assert.Contains("From: vdi@example.test", warning);
            Assert.Contains("a warning's description", warning);
            Assert.DoesNotContain(smtp.Messages(), m => m.Contains($"info-{id}", StringComparison.Ordinal));
            Assert.DoesNotContain(received, r => r.Body.Contains($"warn-{id}", StringComparison.Ordinal) || r.Body.Contains($"info-{id}", StringComparison.Ordinal));

            // the webhook's body is signed with its secret over the timestamp and the body
            var post = received.First(r => r.Body.Contains($"err-{id}", StringComparison.Ordinal));
            Assert.Equal(NotificationDispatcher.Sign(secret, post.Timestamp, post.Body), post.Signature);
            Assert.NotEqual(NotificationDispatcher.Sign("another-secret-0123456", post.Timestamp, post.Body), post.Signature);
            using var doc = JsonDocument.Parse(post.Body);
            Assert.Equal(2, doc.RootElement.GetProperty("event").GetProperty("event_type").GetInt32());

            // "check connection"
            var test = await (await admin.PostAsync("/api/admin/notifications/test", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Null, test.GetProperty("smtp").ValueKind);
            Assert.Contains(email, test.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal(JsonValueKind.Null, test.GetProperty("webhooks").GetProperty(hookUrl).ValueKind);

            // the mail server dies: journalled once however many events fail; the webhook still flows
            await smtp.KillAsync();
            static Task<long> FailuresAsync() => TestDb.ScalarAsync<long>("select count(*) from vdi_journal where message = 'A notification by e-mail could not be sent.'");
            var failuresBefore = await FailuresAsync();
            await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"warn2-{id}"));
            await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"warn3-{id}"));
            await journal.WriteAsync(new JournalEntry(JournalLevel.Error, $"err3-{id}"));
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(received.Any(r => r.Body.Contains($"err3-{id}", StringComparison.Ordinal))), TimeSpan.FromSeconds(30)),
                "the webhook stopped with the mail server");
            Assert.Equal(failuresBefore + 1, await FailuresAsync());

            // back: mail flows again, and the journal says so
            await using var again = new SmtpServer(folder.Path, smtp.Port);
            await again.StartAsync();
            await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"warn4-{id}"));
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(again.Messages().Any(m => m.Contains($"warn4-{id}", StringComparison.Ordinal))), TimeSpan.FromSeconds(30)),
                "mail did not flow again once the server was back");
            Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where message = 'Notifications by e-mail are sent again.'") >= 1);
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/notifications", new { smtp = new { level = "OFF" }, webhooks = Array.Empty<object>() });
            await receiver.StopAsync();
            await receiver.DisposeAsync();
        }
    }
}
