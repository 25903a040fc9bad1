using System.Net;
using System.Text.Json;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Gateway;

[Collection(LiveSystemCollection.Name)]
public sealed class GatewayHealthTests(LiveSystemFixture system)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Each_gateway_is_ready_when_the_cluster_answers_and_tells_only_operators_the_details(int gateway)
    {
        var url = new Uri(system.GatewayUrls[gateway], "/health/ready");
        HttpResponseMessage? last = null;
        var ready = await Eventually.TrueAsync(async () =>
        {
            last = await Http.GetAsync(url);
            return last.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30));
        Assert.True(ready, $"gateway {gateway} not ready: {(last is null ? "no answer" : await last.Content.ReadAsStringAsync())}");

        var text = await last!.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
        Assert.DoesNotContain("description", text); // anonymous callers get no reasons (they may carry exception text)

        var details = new Uri(system.GatewayUrls[gateway], "/health/details");
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.GetAsync(details)).StatusCode);
        using var user = GatewayClients.Http(system.GatewayUrls[gateway],
            (await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[gateway])).Token);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/health/details")).StatusCode);
        using var admin = GatewayClients.Http(system.GatewayUrls[gateway],
            await GatewayClients.LoginAsync(system.GatewayUrls[gateway], system.AdminUsername, system.AdminPassword));
        using var full = JsonDocument.Parse(await admin.GetStringAsync("/health/details"));
        foreach (var name in new[] { "postgres", "redis", "cluster" })
        {
            Assert.Equal("Healthy", full.RootElement.GetProperty("checks").GetProperty(name).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Gateways_answer_liveness()
    {
        foreach (var gateway in system.GatewayUrls)
        {
            var response = await Http.GetAsync(new Uri(gateway, "/health/live"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Silo_is_ready()
    {
        var response = await Http.GetAsync(new Uri(system.SiloUrl, "/health/ready"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
