using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Production;

/// <summary>
/// Issue 16: the shipped nginx site (<c>packaging/nginx/vdi-broker.conf</c>) in front of two gateways, run by Debian's
/// nginx with only its certificate paths and ports changed for this machine: VeiL Connect's whole sequence over HTTPS
/// on the /api prefix and a WSS socket, HTTP redirected, the client's address forwarded and believed only from nginx.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class NginxSiteTests(LiveSystemFixture system)
{
    /// <summary>A client at 127.0.0.2 (its own loopback address), trusting the test CA only.</summary>
    private static Func<SocketsHttpHandler> ClientAt(X509Certificate2 ca, string address = "127.0.0.2") => () => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, cert, _, _) => IssuedBy(ca, cert) },
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
        AllowAutoRedirect = false,
    };

    private static bool IssuedBy(X509Certificate2 ca, X509Certificate? presented)
    {
        if (presented is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }

    [Fact]
    public async Task VeilConnects_sequence_runs_over_HTTPS_through_the_shipped_site_and_the_clients_address_is_believed_from_nginx_only()
    {
        // two gateways that believe X-Forwarded-For from nginx (127.0.0.1), as appsettings.Production.json says
        TestGateway[] gateways =
        [
            await system.StartGatewayAsync("--Broker:TrustedProxies:0=127.0.0.1"),
            await system.StartGatewayAsync("--Broker:TrustedProxies:0=127.0.0.1"),
        ];
        await using var nginx = await Nginx.StartAsync([.. gateways.Select(g => new Uri(g.Urls.First()).Port)], system.SiloUrl.Port);
        try
        {
            await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
            var broker = new Uri($"https://localhost:{nginx.HttpsPort}");
            await using var client = new VeilConnectClient(broker, null, ClientAt(nginx.Ca));

            var version = await client.GetAsync("/api/version/");
            Assert.Equal(200, version.Status);
            Assert.Equal("4.2.0", version.Body.GetProperty("data").GetProperty("version").GetString());
            Assert.Equal(200, (await client.GetAsync("/api/settings/")).Status);
            var login = await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
            Assert.True(login.GetProperty("data").GetProperty("access_token").GetString()!.Length > 20);
            var pools = await client.GetAsync("/api/client/pools/");
            Assert.Equal(200, pools.Status);
            Assert.Contains(pools.Body.GetProperty("data").EnumerateArray(), p => p.GetProperty("id").GetGuid() == scenario.PoolId);

            // the socket through nginx's upgrade, then the get-VM and the client's events on it
            await client.ConnectAsync(headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.9" });
            var auth = await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
            Assert.Equal("Auth success", auth.GetProperty("msg").GetString());
            var vm = await client.GetVmAsync(scenario.PoolId);
            Assert.Equal(200, vm.Status);
            var vmId = vm.Body.GetProperty("data").GetProperty("vm_id").GetGuid();
            await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = vmId, connection_type = "SPICE", is_connection_secure = true });
            await client.SendNetworkStatsAsync(vmId);
            Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
                "select count(*) from vdi_tk_vm_connections where vm_id = @v and disconnected_from_vm is null", ("v", vmId)) == 1, TimeSpan.FromSeconds(10)),
                "the VM connection reported over WSS was not recorded");

            // the address the broker believed: the client's own (nginx's X-Forwarded-For), never the header the client forged
            Assert.Equal("127.0.0.2", await TestDb.ScalarAsync<string>("select tk_ip from vdi_tk_sessions where user_id = @u", ("u", scenario.Users[0].Id)));

            // the same forged header sent straight to a gateway by anyone but nginx is not believed
            await using var direct = new VeilConnectClient(new Uri(gateways[0].Urls.First()), null, ClientAt(nginx.Ca));
            await direct.LoginWithTokenAsync(client.Token!);
            await direct.ConnectAsync(headers: new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.9" });
            await direct.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
            Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
                "select count(*) from vdi_tk_sessions where user_id = @u", ("u", scenario.Users[0].Id)) == 2, TimeSpan.FromSeconds(10)));
            Assert.DoesNotContain("198.51.100.9", await TestDb.ScalarsAsync<string>("select tk_ip from vdi_tk_sessions where user_id = @u", ("u", scenario.Users[0].Id)));

            // plain HTTP only redirects to HTTPS
            using var plain = new HttpClient(ClientAt(nginx.Ca)());
            var redirect = await plain.GetAsync($"http://localhost:{nginx.HttpPort}/api/version/");
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal("https", redirect.Headers.Location!.Scheme);
            Assert.Equal("/api/version/", redirect.Headers.Location.PathAndQuery);

            // the panel and the operators' dashboard port
            using var https = new HttpClient(ClientAt(nginx.Ca)());
            var panel = await https.GetAsync($"https://localhost:{nginx.HttpsPort}/admin/");
            Assert.Equal(HttpStatusCode.OK, panel.StatusCode);
            Assert.Contains("max-age=", panel.Headers.GetValues("Strict-Transport-Security").Single());
            Assert.Equal(HttpStatusCode.OK, (await https.GetAsync($"https://localhost:{nginx.DashboardPort}/health/ready")).StatusCode);
            Assert.Contains("<form", await https.GetStringAsync($"https://localhost:{nginx.DashboardPort}/login"));
        }
        finally
        {
            foreach (var gateway in gateways)
            {
                await gateway.StopAsync();
                await gateway.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Logins_through_the_site_never_see_a_draining_gateway_its_503_is_retried_on_the_other_one()
    {
        var draining = await system.StartGatewayAsync("--Broker:TrustedProxies:0=127.0.0.1", "--Drain:ReadinessDelay=00:00:10");
        var other = await system.StartGatewayAsync("--Broker:TrustedProxies:0=127.0.0.1");
        await using var nginx = await Nginx.StartAsync([new Uri(draining.Urls.First()).Port, new Uri(other.Urls.First()).Port], system.SiloUrl.Port);
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var stopping = draining.StopAsync(); // drains for 10 s: not ready, logins and sockets refused with 503
        try
        {
            using var direct = new HttpClient { BaseAddress = new Uri(draining.Urls.First()) };
            Assert.True(await Eventually.TrueAsync(async () =>
                (await direct.PostAsJsonAsync("/api/auth/", new { username = scenario.Users[0].Name, password = ThinClientScenario.Password })).StatusCode
                == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10)), "the stopping gateway does not refuse logins");

            // through nginx every login succeeds: the first goes to the draining gateway (round robin starts there),
            // whose 503 nginx retries on the other one although a login is a POST
            for (var i = 0; i < 6; i++)
            {
                await using var client = new VeilConnectClient(new Uri($"https://localhost:{nginx.HttpsPort}"), null, ClientAt(nginx.Ca));
                var login = await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
                Assert.True(login.TryGetProperty("data", out _), $"login {i} through the site failed: {login}");
            }
        }
        finally
        {
            await stopping;
            await draining.DisposeAsync();
            await other.StopAsync();
            await other.DisposeAsync();
        }
    }

    /// <summary>Debian's nginx with the shipped site: its own prefix, a CA and a certificate for localhost made here.</summary>
    private sealed class Nginx : IAsyncDisposable
    {
        private readonly TempFolder _folder = new();
        private Process? _process;

        public X509Certificate2 Ca { get; private set; } = null!;

        public int HttpsPort { get; } = FreePort.Next();

        public int HttpPort { get; } = FreePort.Next();

        public int DashboardPort { get; } = FreePort.Next();

        public static async Task<Nginx> StartAsync(int[] gateways, int silo)
        {
            var nginx = new Nginx();
            await nginx.StartCoreAsync(gateways, silo);
            return nginx;
        }

        private async Task StartCoreAsync(int[] gateways, int silo)
        {
            var dir = _folder.Path;
            using var caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=vdi test site CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            Ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
            using var siteKey = RSA.Create(2048);
            var siteRequest = new CertificateRequest("CN=localhost", siteKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            siteRequest.CertificateExtensions.Add(san.Build());
            siteRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var site = siteRequest.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), [1, 2, 3, 4]);
            await File.WriteAllTextAsync(Path.Combine(dir, "site.crt"), site.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(dir, "site.key"), siteKey.ExportPkcs8PrivateKeyPem());

            // the shipped site, with this machine's paths and ports (IPv4 loopback only)
            var root = Environment.GetEnvironmentVariable("VDI_ROOT") ?? throw new InvalidOperationException("VDI_ROOT is not set: run the tests through scripts/test.sh");
            var text = await File.ReadAllTextAsync(Path.Combine(root, "packaging/nginx/vdi-broker.conf"));
            text = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("listen [::]", StringComparison.Ordinal)))
                .Replace("/etc/vdi-broker/tls/", dir + "/")
                .Replace("listen 443 ssl", $"listen 127.0.0.1:{HttpsPort} ssl").Replace("listen 80;", $"listen 127.0.0.1:{HttpPort};")
                .Replace("listen 8443 ssl", $"listen 127.0.0.1:{DashboardPort} ssl")
                .Replace("server 127.0.0.1:8081 ", $"server 127.0.0.1:{gateways[0]} ").Replace("server 127.0.0.1:8082 ", $"server 127.0.0.1:{gateways[1]} ")
                .Replace("server 127.0.0.1:8090;", $"server 127.0.0.1:{silo};")
                .Replace("return 301 https://$host$request_uri;", $"return 301 https://$host:{HttpsPort}$request_uri;");
            Assert.DoesNotContain(":8081", text); // every port of the shipped site was found
            await File.WriteAllTextAsync(Path.Combine(dir, "site.conf"), text);
            await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
                worker_processes 1;
                pid {{dir}}/nginx.pid;
                error_log {{dir}}/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{dir}}/body;
                    proxy_temp_path {{dir}}/proxy;
                    fastcgi_temp_path {{dir}}/fastcgi;
                    uwsgi_temp_path {{dir}}/uwsgi;
                    scgi_temp_path {{dir}}/scgi;
                    include /etc/nginx/mime.types;
                    include {{dir}}/site.conf;
                }
                """);
            var check = await Shell.ExitCodeAsync("/usr/sbin/nginx", "-t", "-p", dir, "-c", Path.Combine(dir, "nginx.conf"));
            Assert.True(check == 0, $"nginx -t refused the shipped site: {await Shell.OutputAsync("/usr/sbin/nginx", "-t", "-p", dir, "-c", Path.Combine(dir, "nginx.conf"))}");
            var start = new ProcessStartInfo("/usr/sbin/nginx") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-g", "daemon off; master_process on;" })
            {
                start.ArgumentList.Add(arg);
            }

            _process = Process.Start(start)!;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, HttpsPort);
                    return true;
                }
                catch (SocketException)
                {
                    return _process.HasExited ? throw new InvalidOperationException($"nginx exited: {await File.ReadAllTextAsync(Path.Combine(dir, "error.log"))}") : false;
                }
            }, TimeSpan.FromSeconds(10)), "nginx did not listen");
        }

        public async ValueTask DisposeAsync()
        {
            if (_process is { HasExited: false })
            {
                Shell.Signal(_process.Id, 15);
                await _process.WaitForExitAsync();
            }

            _process?.Dispose();
            Ca?.Dispose();
            _folder.Dispose();
        }
    }
}
