using System.Net.WebSockets;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §4: the live-event socket authorizes each resource as the REST API does, and only for the panel's origins.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class LiveSocketAuthorizationTests(LiveSystemFixture system)
{
    private Uri Url(string token) => new UriBuilder(system.GatewayUrls[0]) { Scheme = "ws", Path = "/ws/subscriptions/", Query = $"token={token}" }.Uri;

    private static bool Ack(System.Text.Json.JsonElement m, string resource) =>
        m.GetProperty("msg_type").GetString() == "control" && m.TryGetProperty("resource", out var r) && r.GetString() == resource;

    [Fact]
    public async Task An_operator_gets_the_journal_but_not_users_sessions_or_pools()
    {
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Role.Operator);
        await using var panel = await JsonWebSocket.ConnectAsync(Url(token));
        foreach (var resource in new[] { "/users/", "/thin_clients/", "/pools/", "/events/" })
        {
            await panel.SendAsync($"add {resource}");
        }

        foreach (var refused in new[] { "/users/", "/thin_clients/", "/pools/" })
        {
            Assert.True((await panel.WaitForAsync(m => Ack(m, refused))).GetProperty("error").GetBoolean(), $"an OPERATOR subscribed to {refused}");
        }

        Assert.False((await panel.WaitForAsync(m => Ack(m, "/events/"))).GetProperty("error").GetBoolean());
    }

    [Fact]
    public async Task A_foreign_origin_cannot_open_the_panels_socket()
    {
        var token = await GatewayClients.LoginAsync(system.GatewayUrls[0], system.AdminUsername, system.AdminPassword);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => JsonWebSocket.ConnectAsync(Url(token), origin: "http://evil.example"));
        Assert.Contains("403", refused.Message);
        await using var own = await JsonWebSocket.ConnectAsync(Url(token), origin: system.GatewayUrls[0].GetLeftPart(UriPartial.Authority));
        await own.SendAsync("add /events/");
        Assert.False((await own.WaitForAsync(m => Ack(m, "/events/"))).GetProperty("error").GetBoolean());
    }
}
