using Vdi.Silo.Security;
using Vdi.Tests.Fixtures;
using Vdi.WebGateway.Hosting;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §4, §6: security headers on the panel and the silo's pages; the dashboard sign-in never redirects off the silo.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class HeadersAndRedirectTests(LiveSystemFixture system)
{
    private static readonly HttpClient Http = new(new HttpClientHandler { AllowAutoRedirect = false });

    [Theory]
    [InlineData("/dashboard/", true)]
    [InlineData("/dashboard/?tab=silos", true)]
    [InlineData("/", true)]
    [InlineData("//evil.example/", false)]
    [InlineData("/\\evil.example/", false)]
    [InlineData("/\t/evil.example/", false)]
    [InlineData("/\n/evil.example/", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("", false)]
    public void The_sign_in_returns_only_to_a_path_of_the_silo(string returnUrl, bool local) =>
        Assert.Equal(local, OperatorAuthentication.IsLocal(returnUrl));

    [Fact]
    public async Task The_panel_and_the_api_answer_with_security_headers()
    {
        var panel = await Http.GetAsync(new Uri(system.GatewayUrls[0], "/admin/"));
        Assert.Equal(SecurityHeaders.PanelPolicy, panel.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("unsafe-eval", SecurityHeaders.PanelPolicy); // the panel runs Alpine's CSP build
        Assert.Equal("nosniff", panel.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", panel.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", panel.Headers.GetValues("Referrer-Policy").Single());
        var api = await Http.GetAsync(new Uri(system.GatewayUrls[0], "/api/version"));
        Assert.Equal("nosniff", api.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", api.Headers.GetValues("Content-Security-Policy").Single());

        var signIn = await Http.GetAsync(new Uri(system.SiloUrl, "/login"));
        Assert.Equal("DENY", signIn.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", signIn.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
