using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using StackExchange.Redis;
using Vdi.Grains.Interfaces.Users;
using Vdi.Shared.Security;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>
/// Issue 14 §1: the cluster's ports speak mutual TLS. A process that reaches them without a certificate of the
/// cluster's CA (none, or one of its own making) cannot call a grain; one with the cluster's certificate can.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class ClusterTlsTests(LiveSystemFixture system)
{
    private async Task<Exception?> CallAsync(X509Certificate2? certificate, ClusterCertificates? validation)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(TestServices.RedisConnectionString));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = system.ClusterId;
                o.ServiceId = system.ServiceId;
            });
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false)); // a refused connection is the answer, no retries
            if (certificate is not null)
            {
                client.UseTls(certificate, o =>
                {
                    o.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (c, _, e) => validation?.IsClusterPeer(c, e) ?? true;
                    o.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = ClusterCertificates.TargetHost;
                });
            }
        });
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StartAsync(timeout.Token);
            await host.Services.GetRequiredService<IClusterClient>().GetGrain<IUsernameGrain>(system.AdminUsername).FindUserIdAsync()
                .WaitAsync(timeout.Token);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e; // refused (or never answered within 30 s: not a cluster it may call either)
        }
        finally
        {
            try
            {
                await host.StopAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // a client that never connected may not stop cleanly; nothing to keep
            }
        }
    }

    [Fact]
    public async Task A_client_without_a_certificate_of_the_clusters_ca_cannot_call_a_grain()
    {
        Assert.NotNull(await CallAsync(null, null)); // plain TCP to a TLS port

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=vdi-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var own = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var exported = X509CertificateLoader.LoadPkcs12(own.Export(X509ContentType.Pfx), null);
        Assert.NotNull(await CallAsync(exported, null)); // a certificate of its own making: the silo refuses it
    }

    [Fact]
    public async Task A_client_with_the_clusters_certificate_calls_grains()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(TestServices.ClusterTlsSettings).Build();
        using var tls = ClusterCertificates.Load(config)!;
        Assert.Null(await CallAsync(tls.Certificate, tls));
    }
}
