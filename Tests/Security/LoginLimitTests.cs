using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using OtpNet;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>
/// Issue 14 §3 and §5 over HTTP: the login rate limits of a gateway (429 with Retry-After), the lockout as VeiL Connect
/// and the panel see it, a security administrator's unlock, the dashboard's one-time password, and deleting users and
/// groups, each journalled with the actor and the client's address.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class LoginLimitTests(LiveSystemFixture system)
{
    private const string Password = "Limit-Password-1";

    private async Task<UserView> UserAsync(params Role[] roles)
    {
        var name = $"ll-{Guid.NewGuid():N}"[..20];
        return await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, Password, false, roles, "tests"));
    }

    private static async Task<(HttpResponseMessage Reply, JsonElement Body)> LoginAsync(Uri gateway, string username, string password)
    {
        using var http = GatewayClients.Http(gateway);
        var reply = await http.PostAsJsonAsync("/api/auth/", new { username, password });
        return (reply, await reply.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string Message(JsonElement body) => body.GetProperty("errors")[0].GetProperty("message").GetString()!;

    [Fact]
    public async Task One_address_gets_429_with_retry_after_beyond_its_logins_per_minute()
    {
        await using var gateway = await system.StartGatewayAsync("--Broker:LoginsPerMinutePerAddress=3");
        var url = new Uri(gateway.Urls.First());
        for (var i = 0; i < 3; i++)
        {
            var (ok, _) = await LoginAsync(url, $"spray-{Guid.NewGuid():N}", "guess-password");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var (refused, body) = await LoginAsync(url, $"spray-{Guid.NewGuid():N}", "guess-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, refused.Headers.RetryAfter?.ToString());
        Assert.StartsWith("Too many logins.", Message(body));
    }

    [Fact]
    public async Task One_username_gets_429_beyond_its_logins_per_minute_while_others_still_log_in()
    {
        await using var gateway = await system.StartGatewayAsync("--Broker:LoginsPerMinutePerUsername=2");
        var url = new Uri(gateway.Urls.First());
        var target = await UserAsync();
        await LoginAsync(url, target.Username.ToUpperInvariant(), "guess-1");
        await LoginAsync(url, target.Username, "guess-2");
        var (refused, _) = await LoginAsync(url, target.Username, Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);

        var other = await UserAsync();
        var (ok, body) = await LoginAsync(url, other.Username, Password);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(body.TryGetProperty("data", out _), body.ToString());
    }

    [Fact]
    public async Task A_locked_account_is_told_when_to_come_back_and_a_security_administrator_unlocks_it()
    {
        var gateway = system.GatewayUrls[0];
        var user = await UserAsync();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal($"Authentication failed for user: {user.Username}.", Message((await LoginAsync(gateway, user.Username, "guess-password")).Body));
        }

        var (locked, lockedBody) = await LoginAsync(gateway, user.Username, "guess-password");
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode); // the original's envelope for a refused login, which VeiL Connect shows
        Assert.Contains("Too many failed attempts", Message(lockedBody));
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromSeconds(50));
        Assert.Contains("Too many failed attempts", Message((await LoginAsync(gateway, user.Username, Password)).Body));

        // an OPERATOR may not unlock; a security administrator may
        var (_, _, operatorToken) = await GatewayClients.UserWithRolesAsync(system.Grains, gateway, Role.Operator);
        using var op = GatewayClients.Http(gateway, operatorToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsync($"/api/admin/users/{user.Id}/unlock", null)).StatusCode);
        var (_, _, securityToken) = await GatewayClients.UserWithRolesAsync(system.Grains, gateway, Role.SecurityAdministrator);
        using var security = GatewayClients.Http(gateway, securityToken);
        Assert.Equal(HttpStatusCode.OK, (await security.PostAsync($"/api/admin/users/{user.Id}/unlock", null)).StatusCode);
        var (_, body) = await LoginAsync(gateway, user.Username, Password);
        Assert.True(body.TryGetProperty("data", out _), body.ToString());

        // the journal has each step, with the client's address
        var events = await security.GetFromJsonAsync<JsonElement>($"/api/admin/journal?entity_id={user.Id}&limit=50");
        var messages = events.GetProperty("results").EnumerateArray()
            .Select(e => (Message: e.GetProperty("message").GetString()!, Address: e.GetProperty("client_address").GetString())).ToList();
        Assert.Contains(messages, m => m.Message == $"User {user.Username} has been locked out for 1 min." && m.Address == "127.0.0.1");
        Assert.Contains(messages, m => m.Message == $"User {user.Username} has been unlocked." && m.Address == "127.0.0.1");
        Assert.Contains(messages, m => m.Message == $"User {user.Username} has been logged in." && m.Address == "127.0.0.1");
        Assert.Equal(6, messages.Count(m => m.Message == $"Authentication failed for user: {user.Username}."));
    }

    [Fact]
    public async Task The_dashboard_asks_a_two_factor_account_for_its_one_time_password()
    {
        var user = await UserAsync(Role.Administrator);
        var grain = system.Grains.GetGrain<IUserGrain>(user.Id);
        var secret = (await grain.GenerateTotpSecretAsync()).Secret;
        await grain.SetTwoFactorAsync(true, new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow.AddSeconds(-30)));

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = system.SiloUrl,
        };
        FormUrlEncodedContent Form(string? code) => new(new Dictionary<string, string>
        {
            ["username"] = user.Username, ["password"] = Password, ["code"] = code ?? "", ["returnUrl"] = "/dashboard/",
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/login", Form(null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/login", Form("000000"))).StatusCode);
        var signedIn = await browser.PostAsync("/login", Form(new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow)));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task Users_and_groups_are_deleted_with_their_grants_and_the_name_becomes_free()
    {
        var gateway = system.GatewayUrls[0];
        var (_, selfId, securityToken) = await GatewayClients.UserWithRolesAsync(system.Grains, gateway, Role.SecurityAdministrator);
        using var security = GatewayClients.Http(gateway, securityToken);
        var user = await UserAsync();
        var group = await (await security.PostAsJsonAsync("/api/admin/groups", new { verbose_name = $"g-{Guid.NewGuid():N}"[..20] })).Content.ReadFromJsonAsync<JsonElement>();
        var groupId = group.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await security.PostAsJsonAsync($"/api/admin/groups/{groupId}/members", new { users = new[] { user.Id } })).StatusCode);

        // nobody deletes themselves, and a security administrator never a superuser
        Assert.Equal(HttpStatusCode.Forbidden, (await security.DeleteAsync($"/api/admin/users/{selfId}")).StatusCode);
        var superName = $"su-{Guid.NewGuid():N}"[..20];
        var superuser = await system.Grains.ForName(superName).CreateUserAsync(new NewUser(superName, Password, true, [], "tests"));
        Assert.Equal(HttpStatusCode.Forbidden, (await security.DeleteAsync($"/api/admin/users/{superuser.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await security.DeleteAsync($"/api/admin/users/{user.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await security.GetAsync($"/api/admin/users/{user.Id}")).StatusCode);
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_group_members where user_id = @u", ("u", user.Id)));
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_users where id = @u", ("u", user.Id)));
        Assert.Contains("Authentication failed", Message((await LoginAsync(gateway, user.Username, Password)).Body));
        var again = await system.Grains.ForName(user.Username).CreateUserAsync(new NewUser(user.Username, Password, false, [], "tests"));
        Assert.NotEqual(user.Id, again.Id);

        Assert.Equal(HttpStatusCode.NoContent, (await security.DeleteAsync($"/api/admin/groups/{groupId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await security.GetAsync($"/api/admin/groups/{groupId}")).StatusCode);
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_groups where id = @g", ("g", groupId)));
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @u and message = @m and client_address = '127.0.0.1'", ("u", user.Id), ("m", $"User {user.Username} has been deleted.")));
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @g and message like 'Group % has been deleted.'", ("g", groupId)));
    }

    [Fact]
    public async Task A_users_change_is_journalled_with_the_actor_the_address_and_old_and_new_values()
    {
        var gateway = system.GatewayUrls[0];
        var (securityName, _, securityToken) = await GatewayClients.UserWithRolesAsync(system.Grains, gateway, Role.SecurityAdministrator);
        using var security = GatewayClients.Http(gateway, securityToken);
        var user = await UserAsync();
        Assert.Equal(HttpStatusCode.OK, (await security.PatchAsJsonAsync($"/api/admin/users/{user.Id}",
            new { first_name = "Anna", roles = new[] { "OPERATOR" }, password = "Changed-Password-9" })).StatusCode);
        var description = await TestDb.ScalarAsync<string>(
            "select description from vdi_journal where entity_id = @u and message = @m and username = @by and client_address = '127.0.0.1'",
            ("u", user.Id), ("m", $"User {user.Username} has been changed."), ("by", securityName));
        Assert.NotNull(description);
        Assert.Contains("first_name:  → Anna", description);
        Assert.Contains("roles:  → OPERATOR", description);
        Assert.Contains("password: changed", description);
        Assert.DoesNotContain("Changed-Password-9", description);
    }
}
