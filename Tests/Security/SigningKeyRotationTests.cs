using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Vdi.Grains.Interfaces.Security;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §3: the JWT signing key is rotated on a schedule, and the one before it is accepted until its tokens expire.</summary>
[Collection(FakeClockCollection.Name)]
public sealed class SigningKeyScheduleTests(FakeClockClusterFixture fixture)
{
    [Fact]
    public async Task The_key_rotates_after_its_period_and_the_previous_one_is_kept_a_token_lifetime()
    {
        var grain = fixture.Client.GetGrain<ISigningKeyGrain>(0);
        var first = await grain.GetKeysAsync();
        Assert.Equal(first.CurrentId, (await grain.GetKeysAsync()).CurrentId); // stable until due

        fixture.Clock.Advance(first.RotatesAt - fixture.Clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        var second = await grain.GetKeysAsync();
        Assert.NotEqual(first.CurrentId, second.CurrentId);
        Assert.NotEqual(first.Current, second.Current);
        Assert.Equal(first.CurrentId, second.PreviousId);
        Assert.Equal(first.Current, second.Previous);
        Assert.True(second.PreviousUntil >= fixture.Clock.GetUtcNow().AddHours(24));

        fixture.Clock.Advance(TimeSpan.FromHours(25));
        var later = await grain.GetKeysAsync();
        Assert.Equal(second.CurrentId, later.CurrentId);
        Assert.Null(later.Previous);
    }
}

/// <summary>A rotation over HTTP: nobody is logged out, and a token of the new key works on a gateway that had not seen it.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class SigningKeyRotationTests(LiveSystemFixture system)
{
    private static async Task<HttpStatusCode> PoolsAsync(Uri gateway, string token)
    {
        using var http = GatewayClients.Http(gateway, token);
        return (await http.GetAsync("/api/admin/pools")).StatusCode;
    }

    [Fact]
    public async Task A_superuser_rotates_the_key_and_tokens_of_both_keys_are_accepted_on_every_gateway()
    {
        var (g0, g1) = (system.GatewayUrls[0], system.GatewayUrls[1]);
        var (_, _, adminToken) = await GatewayClients.UserWithRolesAsync(system.Grains, g0, Role.Administrator);
        using var admin = GatewayClients.Http(g0, adminToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync("/api/admin/security/rotate-signing-key", null)).StatusCode);

        var (name, _, before) = await GatewayClients.UserWithRolesAsync(system.Grains, g0, Role.Administrator);
        var superToken = await GatewayClients.LoginAsync(g0, system.AdminUsername, system.AdminPassword);
        using var superuser = GatewayClients.Http(g0, superToken);
        var rotated = await superuser.PostAsync("/api/admin/security/rotate-signing-key", null);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        var newKey = body.GetProperty("key_id").GetString();
        Assert.Equal(new JsonWebToken(before).Kid, body.GetProperty("previous_key_id").GetString());

        // the token signed before the rotation still works everywhere
        Assert.Equal(HttpStatusCode.OK, await PoolsAsync(g0, before));
        Assert.Equal(HttpStatusCode.OK, await PoolsAsync(g1, before));

        // a new login on the rotating gateway is signed with the new key, and the other gateway fetches it when it sees it
        var after = await GatewayClients.LoginAsync(g0, name, "role-password");
        Assert.Equal(newKey, new JsonWebToken(after).Kid);
        Assert.Equal(HttpStatusCode.OK, await PoolsAsync(g1, after));
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where message = 'The token signing key has been rotated.' and description like @d", ("d", $"Key {newKey} %")));
    }
}
