using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.WebGateway.Security;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §4: roles mean what they say. A SECURITY_ADMINISTRATOR manages accounts, never privileges above its own.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class PrivilegeTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private async Task<HttpClient> SuperuserAsync() =>
        GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));

    private async Task<(Guid Id, HttpClient Http)> SecurityAdministratorAsync()
    {
        var (_, id, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.SecurityAdministrator);
        return (id, GatewayClients.Http(Gateway, token));
    }

    private async Task<Guid> UserAsync(bool superuser = false)
    {
        var name = $"pv-{Guid.NewGuid():N}"[..20];
        return (await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, "Privilege-Password-1", superuser, [], "tests"))).Id;
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient http, Guid user, object body) =>
        http.PatchAsJsonAsync($"/api/admin/users/{user}", body);

    [Fact]
    public async Task A_security_administrator_cannot_make_itself_or_anyone_superuser_or_administrator()
    {
        var (self, http) = await SecurityAdministratorAsync();
        using var _ = http;
        var other = await UserAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, self, new { is_superuser = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, other, new { is_superuser = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, other, new { roles = new[] { "ADMINISTRATOR" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, self, new { roles = new[] { "OPERATOR" } })).StatusCode);
        var created = await http.PostAsJsonAsync("/api/admin/users", new { username = $"pv-{Guid.NewGuid():N}"[..20], password = "Privilege-Password-1", is_superuser = true });
        Assert.Equal(HttpStatusCode.Forbidden, created.StatusCode);

        Assert.False((await system.Grains.GetGrain<IUserGrain>(self).GetAsync())!.IsSuperuser);
        Assert.False((await system.Grains.GetGrain<IUserGrain>(other).GetAsync())!.IsSuperuser);
        Assert.Empty((await system.Grains.GetGrain<IUserGrain>(other).GetAsync())!.Roles);

        // what the role is for still works: an ordinary account's password and roles below ADMINISTRATOR
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(http, other, new { password = "Another-Password-2", roles = new[] { "OPERATOR" } })).StatusCode);
    }

    [Fact]
    public async Task Only_a_superuser_touches_a_superusers_password_two_factor_or_activation()
    {
        var (_, http) = await SecurityAdministratorAsync();
        using var _ = http;
        var superuser = await UserAsync(superuser: true);

        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, superuser, new { password = "Takeover-Password-3" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, superuser, new { reset_two_factor = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PatchAsync(http, superuser, new { is_active = false })).StatusCode);
        Assert.True((await system.Grains.GetGrain<IUserGrain>(superuser).GetAsync())!.IsActive);

        using var root = await SuperuserAsync();
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(root, superuser, new { is_active = false })).StatusCode);
    }

    [Fact]
    public async Task Administrator_through_a_group_is_a_superusers_decision_too()
    {
        var (_, http) = await SecurityAdministratorAsync();
        using var _ = http;
        using var root = await SuperuserAsync();
        var reply = await root.PostAsJsonAsync("/api/admin/groups", new { verbose_name = $"pg-{Guid.NewGuid():N}"[..16], description = "" });
        var group = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var member = await UserAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await http.PatchAsJsonAsync($"/api/admin/groups/{group}", new { roles = new[] { "ADMINISTRATOR" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await root.PatchAsJsonAsync($"/api/admin/groups/{group}", new { roles = new[] { "ADMINISTRATOR" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync($"/api/admin/groups/{group}/members", new { users = new[] { member } })).StatusCode);
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_group_members where group_id = @g", ("g", group)));
    }

    [Fact]
    public async Task The_last_active_superuser_is_never_deactivated_or_demoted()
    {
        var target = new UserView(Guid.NewGuid(), "root", "", "", "", IsSuperuser: true, IsActive: true, [], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);
        var actor = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(JwtRegisteredClaimNames.Sub, Guid.NewGuid().ToString()), new Claim(ClaimTypes.Role, Roles.Superuser)], "test", ClaimTypes.Name, ClaimTypes.Role));

        var deactivate = await Assert.ThrowsAsync<BrokerException>(() =>
            PrivilegeRules.CheckUpdateAsync(actor, target, new UserChanges { IsActive = false }, () => Task.FromResult(1L)));
        Assert.Equal(ErrorKind.Conflict, deactivate.Kind);
        var demote = await Assert.ThrowsAsync<BrokerException>(() =>
            PrivilegeRules.CheckUpdateAsync(actor, target, new UserChanges { IsSuperuser = false }, () => Task.FromResult(1L)));
        Assert.Equal("is_superuser", demote.Field);
        await PrivilegeRules.CheckUpdateAsync(actor, target, new UserChanges { IsActive = false }, () => Task.FromResult(2L)); // another one remains
    }
}
