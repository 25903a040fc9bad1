using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §3: the login's answers tell a guesser nothing about the password.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class LoginAnswerTests(LiveSystemFixture system)
{
    [Fact]
    public async Task The_version_answer_comes_before_the_password_check()
    {
        using var http = new HttpClient { BaseAddress = system.GatewayUrls[0] };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("thin-client");
        async Task<(int, string)> LoginAsync(string password)
        {
            var reply = await http.PostAsJsonAsync("/api/auth/", new { username = system.AdminUsername, password, code = "", ldap = false, veil_connect_version = "1.0.0" });
            var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
            return ((int)reply.StatusCode, body.GetProperty("errors")[0].GetProperty("message").GetString()!);
        }

        var right = await LoginAsync(system.AdminPassword);
        var wrong = await LoginAsync("not-the-password");
        Assert.Equal(403, right.Item1);
        Assert.Equal(right, wrong); // the same answer whether the password was right or not
    }

    [Fact]
    public async Task A_token_with_another_algorithm_is_refused_even_with_the_right_claims()
    {
        var token = await GatewayClients.LoginAsync(system.GatewayUrls[0], system.AdminUsername, system.AdminPassword);
        var parts = token.Split('.');
        string Encode(string json) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(json);
        var claims = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]);
        var unsigned = $"{Encode("""{"alg":"none","typ":"JWT"}""")}.{Encode(claims)}.";
        using var forged = GatewayClients.Http(system.GatewayUrls[0], unsigned);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/admin/me")).StatusCode);
        using var genuine = GatewayClients.Http(system.GatewayUrls[0], token);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await genuine.GetAsync("/api/admin/me")).StatusCode);
    }
}
