using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>Issue 16's services page, its API first: every silo, this gateway, Postgres, Redis and the controllers, for operators only.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class ServicesApiTests(LiveSystemFixture system)
{
    [Fact]
    public async Task An_operator_sees_every_silo_the_stores_and_the_gateway_and_a_user_without_a_role_does_not()
    {
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Role.Operator);
        using var operatorClient = GatewayClients.Http(system.GatewayUrls[0], token);
        var services = await operatorClient.GetFromJsonAsync<JsonElement>("/api/admin/services");

        var silos = services.GetProperty("silos").EnumerateArray().ToList();
        Assert.NotEmpty(silos);
        Assert.Contains(silos, s => s.GetProperty("status").GetString() == "ACTIVE");
        Assert.All(silos, s => Assert.False(string.IsNullOrEmpty(s.GetProperty("address").GetString())));
        Assert.Equal("HEALTHY", services.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("HEALTHY", services.GetProperty("redis").GetProperty("status").GetString());
        var gateway = services.GetProperty("gateway");
        Assert.Equal("HEALTHY", gateway.GetProperty("status").GetString());
        Assert.True(gateway.GetProperty("uptime_seconds").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Array, services.GetProperty("controllers").ValueKind);

        var (_, _, plain) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0]);
        using var nobody = GatewayClients.Http(system.GatewayUrls[0], plain);
        Assert.Equal(HttpStatusCode.Forbidden, (await nobody.GetAsync("/api/admin/services")).StatusCode);
        using var anonymous = GatewayClients.Http(system.GatewayUrls[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/services")).StatusCode);
    }

    [Fact]
    public async Task Every_silo_and_gateway_reports_its_version_uptime_health_and_load_and_a_stopped_gateway_says_so()
    {
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Role.Operator);
        using var client = GatewayClients.Http(system.GatewayUrls[0], token);
        var own = $"127.0.0.1:{system.GatewayUrls[0].Port}";
        var extra = await system.StartGatewayAsync();
        var extraAddress = $"127.0.0.1:{new Uri(extra.Urls.First()).Port}";

        // a thin client's socket on the first gateway is counted there
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var thin = new VeilConnectClient(system.GatewayUrls[0]);
        await thin.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        await thin.ConnectAsync();
        await thin.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        JsonElement services = default;
        static IEnumerable<JsonElement> Rows(JsonElement services, string list) => services.GetProperty(list).EnumerateArray();
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            services = await client.GetFromJsonAsync<JsonElement>("/api/admin/services");
            return Rows(services, "gateways").Any(g => g.GetProperty("address").GetString() == own && g.GetProperty("status").GetString() == "ACTIVE"
                                                      && g.GetProperty("health").GetString() == "HEALTHY" && g.GetProperty("connected_clients").GetInt64() >= 1)
                   && Rows(services, "gateways").Any(g => g.GetProperty("address").GetString() == extraAddress && g.GetProperty("status").GetString() == "ACTIVE")
                   && Rows(services, "silos").Any(s => s.GetProperty("status").GetString() == "ACTIVE" && s.GetProperty("health").GetString() == "HEALTHY"
                                                      && s.GetProperty("activations").ValueKind == JsonValueKind.Number && s.GetProperty("activations").GetInt64() > 0
                                                      && s.GetProperty("uptime_seconds").GetInt64() >= 0 && s.GetProperty("version").GetString()!.Length > 0);
        }, TimeSpan.FromSeconds(30)), $"the services list lacks a gateway or silo report: {services}");
        var mine = Rows(services, "gateways").Single(g => g.GetProperty("address").GetString() == own);
        Assert.True(mine.GetProperty("self").GetBoolean());
        Assert.Equal(Environment.MachineName, mine.GetProperty("host").GetString());
        Assert.Matches(@"^\d+\.\d+", mine.GetProperty("version").GetString());

        // a gateway that stops cleanly says so at once; the others go on
        await extra.StopAsync();
        await extra.DisposeAsync();
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            services = await client.GetFromJsonAsync<JsonElement>("/api/admin/services");
            return Rows(services, "gateways").Any(g => g.GetProperty("address").GetString() == extraAddress && g.GetProperty("status").GetString() == "STOPPED");
        }, TimeSpan.FromSeconds(15)), $"the stopped gateway is not listed as STOPPED: {services}");
        Assert.Contains(Rows(services, "gateways"), g => g.GetProperty("address").GetString() == own && g.GetProperty("status").GetString() == "ACTIVE");
    }
}
