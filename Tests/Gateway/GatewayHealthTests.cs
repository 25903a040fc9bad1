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
    public async Task Each_gateway_is_ready_with_postgres_redis_and_the_cluster(int gateway)
    {
        var url = new Uri(system.GatewayUrls[gateway], "/health/ready");
        HttpResponseMessage? last = null;
        var ready = await Eventually.TrueAsync(async () =>
        {
            last = await Http.GetAsync(url);
            return last.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30));
        Assert.True(ready, $"gateway {gateway} not ready: {(last is null ? "no answer" : await last.Content.ReadAsStringAsync())}");

        using var body = JsonDocument.Parse(await last!.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        foreach (var name in new[] { "postgres", "redis", "cluster" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
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
