using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §2: every text field is bounded and checked before anything is written.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class InputBoundsTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private async Task<HttpClient> SuperuserAsync() =>
        GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));

    [Fact]
    public async Task A_too_long_first_name_is_a_400_that_leaves_no_account_behind()
    {
        using var http = await SuperuserAsync();
        var name = $"ib-{Guid.NewGuid():N}"[..20];
        var refused = await http.PostAsJsonAsync("/api/admin/users", new { username = name, password = "Bounded-Password-1", first_name = new string('a', 100) });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("first_name", await refused.Content.ReadAsStringAsync());
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_users where username = @n", ("n", name)));
        using var anonymous = GatewayClients.Http(Gateway);
        var login = await (await anonymous.PostAsJsonAsync("/api/auth/", new { username = name, password = "Bounded-Password-1" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(login.TryGetProperty("errors", out _), "a refused account can log in");

        var created = await http.PostAsJsonAsync("/api/admin/users", new { username = name, password = "Bounded-Password-1", first_name = "Ann" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode); // the name is free for a valid attempt
    }

    [Fact]
    public async Task A_megabyte_password_is_refused_before_any_hashing()
    {
        using var http = await SuperuserAsync();
        var huge = new string('P', 1024 * 1024) + "a1!";
        var create = await http.PostAsJsonAsync("/api/admin/users", new { username = $"ib-{Guid.NewGuid():N}"[..20], password = huge });
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Contains("password", await create.Content.ReadAsStringAsync());

        using var anonymous = GatewayClients.Http(Gateway);
        var clock = Stopwatch.StartNew();
        var login = await (await anonymous.PostAsJsonAsync("/api/auth/", new { username = system.AdminUsername, password = huge })).Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        Assert.True(login.TryGetProperty("errors", out _));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the login took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.NotNull(await system.Grains.ForName(system.AdminUsername).FindUserIdAsync());
    }
}
