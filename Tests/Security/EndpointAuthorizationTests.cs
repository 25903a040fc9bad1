using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §4: every endpoint is closed unless it says otherwise, and the API's map is for admin roles.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class EndpointAuthorizationTests(LiveSystemFixture system)
{
    /// <summary>The only endpoints anyone may call: login, version and settings (VeiL Connect before its login), the two
    /// sockets (they check the token in their query themselves), health for load balancers, the panel's shell and the
    /// API reference's page (the document it shows needs a role).</summary>
    private static readonly string[] Anonymous =
    [
        "/api/auth", "/auth", "/api/version", "/version", "/api/settings", "/settings",
        "/api/sso", "/sso", // Kerberos single sign-on: the ticket is the credential (401 + Negotiate without one)
        "/ws/client", "/api/ws/client", "/ws/subscriptions", "/api/ws/subscriptions",
        "/health/live", "/health/ready", "/", "/admin/",
        "/metrics", // Prometheus: outside the broker's sign-in, open to the management networks or a scraper with the token (MetricsTests)
    ];

    [Fact]
    public void No_endpoint_is_anonymous_unless_it_is_on_the_list()
    {
        var fallback = system.GatewayServices(0).GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthorizationOptions>>().Value.FallbackPolicy;
        Assert.NotNull(fallback); // an endpoint added later without a word about authorization is closed, not open
        Assert.Contains(fallback.Requirements, r => r is Microsoft.AspNetCore.Authorization.Infrastructure.DenyAnonymousAuthorizationRequirement);
        var endpoints = system.GatewayServices(0).GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints found");
        var open = endpoints.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText ?? "").Where(p => !p.StartsWith("/api/reference", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(open.All(p => Anonymous.Contains(p.TrimEnd('/') is "" ? "/" : p.TrimEnd('/')) || Anonymous.Contains(p)),
            $"anonymous endpoints not on the list: {string.Join(", ", open.Where(p => !Anonymous.Contains(p) && !Anonymous.Contains(p.TrimEnd('/'))))}");
    }

    [Fact]
    public async Task An_endpoint_that_says_nothing_needs_a_signed_in_user_and_the_api_document_an_admin_role()
    {
        using var anonymous = GatewayClients.Http(system.GatewayUrls[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/openapi/v1.json")).StatusCode);
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0]);
        using var thinClientUser = GatewayClients.Http(system.GatewayUrls[0], token);
        Assert.Equal(HttpStatusCode.Forbidden, (await thinClientUser.GetAsync("/api/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/version")).StatusCode);
    }
}
