using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.Tests.Fixtures;

/// <summary>Logging in to a gateway as the panel does, and HTTP clients carrying the token.</summary>
public static class GatewayClients
{
    public static HttpClient Http(Uri gateway, string? token = null)
    {
        var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"JWT {token}");
        }

        return http;
    }

    public static async Task<string> LoginAsync(Uri gateway, string username, string password)
    {
        using var http = Http(gateway);
        var reply = await http.PostAsJsonAsync("/api/auth/", new { username, password });
        var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.TryGetProperty("data", out var data), body.ToString());
        return data.GetProperty("access_token").GetString()!;
    }

    /// <summary>A new user with these roles, logged in; its name and token.</summary>
    public static async Task<(string Name, Guid Id, string Token)> UserWithRolesAsync(IGrainFactory grains, Uri gateway, params Role[] roles)
    {
        var name = $"r-{Guid.NewGuid():N}";
        var user = await grains.ForName(name).CreateUserAsync(new NewUser(name, "role-password", false, roles, "tests"));
        return (name, user.Id, await LoginAsync(gateway, name, "role-password"));
    }
}
