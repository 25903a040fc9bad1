using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Tests.Fixtures;
using Vdi.Tests.Production;

namespace Vdi.Tests.Controllers;

/// <summary>
/// Issue 16: trust for a controller's HTTPS certificate, per controller, without touching the host's store. The
/// simulator serves HTTPS and WSS with a certificate from a private CA or a self-signed one, as ECP controllers do.
/// </summary>
[Collection(ControllerCollection.Name)]
public sealed class ControllerTlsTrustTests(TwoSiloClusterFixture fixture)
{
    private IControllerGrain NewController() => fixture.Client.GetGrain<IControllerGrain>(Guid.NewGuid());

    private static ControllerRegistration Registration(SimulatorHost sim, ControllerTls? tls, string? address = null) =>
        new($"tls-{Guid.NewGuid():N}"[..16], address ?? sim.Address, sim.Token, "TLS test", "tester", tls);

    private static X509Certificate2 Authority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A server certificate for 127.0.0.1, issued by <paramref name="issuer"/> (or self-signed), written as PKCS#12.</summary>
    private static (string Path, string Password, X509Certificate2 Certificate) ServerCertificate(TempFolder folder, X509Certificate2? issuer)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=veil-controller.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        var (from, to) = (DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var certificate = issuer is null
            ? request.CreateSelfSigned(from, to)
            : request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(12)).CopyWithPrivateKey(key);
        var password = Guid.NewGuid().ToString("N");
        var path = System.IO.Path.Combine(folder.Path, $"{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return (path, password, certificate);
    }

    private static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    [Fact]
    public async Task A_controller_with_a_private_CA_certificate_is_refused_by_the_host_store_and_trusted_with_its_CA_for_calls_and_events()
    {
        using var folder = new TempFolder();
        using var ca = Authority("Site VDI CA");
        using var other = Authority("Someone else's CA");
        var server = ServerCertificate(folder, ca);
        await using var sim = await SimulatorHost.StartAsync(tls: (server.Path, server.Password));
        Assert.Equal("https", sim.Url.Scheme);
        var fingerprint = ControllerTrust.Fingerprint(server.Certificate);

        // the host's store does not know the site's CA: refused, saying why and which certificate it saw
        var system = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(Registration(sim, null)));
        Assert.Equal(ErrorKind.ControllerUnreachable, system.Kind);
        Assert.Contains("not trusted", system.Message);
        Assert.Contains(fingerprint, system.Message);

        // a CA that did not issue it
        var wrongCa = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(Registration(sim, new ControllerTls(CaCertificates: Pem(other)))));
        Assert.Contains("not issued by the controller's CA certificates", wrongCa.Message);

        // the right CA, but an address the certificate is not for (it names 127.0.0.1 only)
        var misnamed = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(
            Registration(sim, new ControllerTls(CaCertificates: Pem(ca)), address: $"https://localhost:{sim.Url.Port}")));
        Assert.Contains("not issued for this address", misnamed.Message);

        // the site's CA (with an unrelated one beside it): active, its REST calls and its event stream go through
        var grain = NewController();
        var view = await grain.AddAsync(Registration(sim, new ControllerTls(CaCertificates: Pem(other) + Pem(ca))));
        Assert.Equal(ControllerStatus.Active, view.Status);
        Assert.Equal("ca", view.Tls!.Mode);
        Assert.Equal(["CN=Someone else's CA", "CN=Site VDI CA"], view.Tls.CaCertificates.Select(c => c.Subject));
        Assert.Null(view.Tls.PinnedSha256);
        Assert.NotEmpty(await grain.ListResourcesAsync(ResourceKind.Vms));
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(15)),
            "the event stream (WSS) did not connect with the controller's CA");
        Assert.Equal(ControllerStatus.Active, (await grain.TestAsync("tester")).Status);
    }

    [Fact]
    public async Task A_self_signed_controller_is_trusted_by_its_pinned_fingerprint_and_a_changed_trust_is_checked_on_a_new_connection()
    {
        using var folder = new TempFolder();
        var server = ServerCertificate(folder, issuer: null);
        await using var sim = await SimulatorHost.StartAsync(tls: (server.Path, server.Password));
        var fingerprint = ControllerTrust.Fingerprint(server.Certificate);
        // as openssl prints it: colon-separated; lower case is accepted too
        var typed = string.Join(':', Enumerable.Range(0, 32).Select(i => fingerprint.Substring(i * 2, 2))).ToLowerInvariant();

        var grain = NewController();
        var view = await grain.AddAsync(Registration(sim, new ControllerTls(PinnedSha256: typed)));
        Assert.Equal(ControllerStatus.Active, view.Status);
        Assert.Equal("pin", view.Tls!.Mode);
        Assert.Equal(fingerprint, view.Tls.PinnedSha256);
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(15)),
            "the event stream (WSS) did not connect with the pinned certificate");
        Assert.NotEmpty(await grain.ListResourcesAsync(ResourceKind.Vms)); // the shared handler now holds a connection to it

        // another pin: checked over a new connection (the pooled one was accepted under the old pin), refused, nothing stored
        var wrong = new string('A', 64);
        var refused = await Assert.ThrowsAsync<BrokerException>(() => grain.UpdateAsync(new ControllerChanges("tester", Tls: new ControllerTls(PinnedSha256: wrong))));
        Assert.Contains("not the pinned one", refused.Message);
        Assert.Contains(fingerprint, refused.Message);
        Assert.Equal(fingerprint, (await grain.GetAsync())!.Tls!.PinnedSha256);

        // back to the host's store: a self-signed certificate is not trusted there either
        var unpinned = await Assert.ThrowsAsync<BrokerException>(() => grain.UpdateAsync(new ControllerChanges("tester", Tls: ControllerTls.System)));
        Assert.Contains("not trusted by this host", unpinned.Message);
        Assert.Equal("pin", (await grain.GetAsync())!.Tls!.Mode);

        // a change that keeps the trust does not touch it
        var renamed = await grain.UpdateAsync(new ControllerChanges("tester", Description: "pinned"));
        Assert.Equal(fingerprint, renamed.Tls!.PinnedSha256);
        Assert.Equal(ControllerStatus.Active, (await grain.TestAsync("tester")).Status);
    }

    [Fact]
    public void What_an_administrator_types_is_checked_field_by_field()
    {
        using var ca = Authority("Rules CA");
        static string Field(Action parse) => Assert.Throws<BrokerException>(parse).Field ?? "";

        Assert.Same(ControllerTrust.System, ControllerTrust.Parse(null));
        Assert.Same(ControllerTrust.System, ControllerTrust.Parse(new ControllerTls(" ", "")));
        Assert.Equal("tls", Field(() => ControllerTrust.Parse(new ControllerTls(Pem(ca), new string('0', 64)))));
        Assert.Equal("tls.pinned_sha256", Field(() => ControllerTrust.Parse(new ControllerTls(PinnedSha256: "sha256/abc"))));
        Assert.Equal("tls.pinned_sha256", Field(() => ControllerTrust.Parse(new ControllerTls(PinnedSha256: new string('G', 64)))));
        Assert.Equal("tls.ca_certificates", Field(() => ControllerTrust.Parse(new ControllerTls(CaCertificates: "not a certificate"))));
        Assert.Equal("tls.ca_certificates", Field(() => ControllerTrust.Parse(new ControllerTls(CaCertificates: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))));
        Assert.Equal("tls.ca_certificates", Field(() => ControllerTrust.Parse(new ControllerTls(CaCertificates: string.Concat(Enumerable.Repeat(Pem(ca), 17))))));
        Assert.Equal("tls.ca_certificates", Field(() => ControllerTrust.Parse(new ControllerTls(CaCertificates: Pem(ca) + new string(' ', 70_000) + Pem(ca)))));

        // stored normalised: the PEM re-encoded (a private key pasted with it is dropped), the pin as bare upper-case hex
        using var key = RSA.Create(2048);
        var withKey = Pem(ca) + key.ExportPkcs8PrivateKeyPem();
        var parsed = ControllerTrust.Parse(new ControllerTls(CaCertificates: withKey));
        Assert.Equal(Pem(ca).ReplaceLineEndings("\n").Trim(), parsed.Tls.CaCertificates.Trim());
        Assert.DoesNotContain("PRIVATE KEY", parsed.Tls.CaCertificates);
        Assert.Equal(new string('A', 64), ControllerTrust.Parse(new ControllerTls(PinnedSha256: string.Join(':', Enumerable.Repeat("aa", 32)))).Tls.PinnedSha256);
    }
}
