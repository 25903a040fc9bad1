using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

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
}
