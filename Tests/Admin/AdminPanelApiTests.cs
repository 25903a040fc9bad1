using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>What the panel reads and changes through the admin API: the role matrix, the journal, users, sessions.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class AdminPanelApiTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private async Task<HttpClient> AdminAsync() =>
        GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));

    public static TheoryData<string, string> Endpoints => new()
    {
        { "/api/admin/controllers", "A" },
        { "/api/admin/pools", "A" },
        { "/api/admin/tasks", "A" },
        { "/api/admin/thin-clients", "A" },
        { "/api/admin/users", "S" },
        { "/api/admin/groups", "S" },
        { "/api/admin/directories", "S" },
        { "/api/admin/journal", "OAS" },
        { "/api/admin/journal/export", "OAS" },
        { "/api/admin/summary", "OAS" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_endpoint_answers_exactly_the_roles_it_is_for(string path, string allowed)
    {
        var roles = new (char Key, Role[] Roles)[] { ('-', []), ('O', [Role.Operator]), ('A', [Role.Administrator]), ('S', [Role.SecurityAdministrator]) };
        foreach (var (key, held) in roles)
        {
            var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, held);
            using var http = GatewayClients.Http(Gateway, token);
            var status = (await http.GetAsync(path)).StatusCode;
            if (allowed.Contains(key))
            {
                Assert.Equal(HttpStatusCode.OK, status);
            }
            else
            {
                Assert.True(status == HttpStatusCode.Forbidden, $"{path} answered {status} to a user with roles [{string.Join(",", held)}]");
            }
        }

        using var superuser = await AdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await superuser.GetAsync(path)).StatusCode);
        using var anonymous = GatewayClients.Http(Gateway);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task The_journal_filters_pages_marks_read_and_exports_csv()
    {
        using var http = await AdminAsync();
        var names = Enumerable.Range(0, 3).Select(_ => $"jr-{Guid.NewGuid():N}"[..20]).ToList();
        var ids = new List<Guid>();
        foreach (var name in names)
        {
            ids.Add((await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, "journal-password", false, [], "journal-test"))).Id);
        }

        var page = await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?entity_type=user&entity_id={ids[1]}&unread=true");
        Assert.Equal(1, page.GetProperty("count").GetInt64());
        var entry = page.GetProperty("results")[0];
        Assert.Contains(names[1], entry.GetProperty("message").GetString());
        Assert.False(entry.GetProperty("read").GetBoolean());
        var paged = await http.GetFromJsonAsync<JsonElement>("/api/admin/journal?username=journal-test&entity_type=USER&limit=2");
        Assert.True(paged.GetProperty("count").GetInt64() >= 3);
        Assert.Equal(2, paged.GetProperty("results").GetArrayLength());

        var marked = await http.PostAsJsonAsync("/api/admin/journal/mark-read", new { ids = new[] { entry.GetProperty("id").GetInt64() } });
        Assert.Equal(HttpStatusCode.OK, marked.StatusCode);
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?entity_id={ids[1]}&unread=true")).GetProperty("count").GetInt64());
        Assert.True((await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?entity_id={ids[1]}")).GetProperty("results")[0].GetProperty("read").GetBoolean());
        var (_, _, other) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.Operator);
        using (var operatorHttp = GatewayClients.Http(Gateway, other))
        {
            Assert.Equal(1, (await operatorHttp.GetFromJsonAsync<JsonElement>($"/api/admin/journal?entity_id={ids[1]}&unread=true")).GetProperty("count").GetInt64());
        }

        var bad = await http.GetAsync("/api/admin/journal?event_type=9");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("event_type", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync("/api/admin/journal/mark-read", new { })).StatusCode);

        var csv = await http.GetAsync($"/api/admin/journal/export?entity_id={ids[2]}");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, (await csv.Content.ReadAsByteArrayAsync())[..3]); // Excel reads Cyrillic as UTF-8
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,created,level,message,description,entity_type,entity_id,user,client_address", lines[0]);
        Assert.Single(lines.Skip(1));
        Assert.Contains(names[2], lines[1]);
        Assert.Contains(",INFO,", lines[1]);
    }

    [Fact]
    public async Task An_administrator_deactivates_a_user_changes_a_password_and_bad_fields_are_named()
    {
        using var http = await AdminAsync();
        var (name, id, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.Operator);
        var list = await http.GetFromJsonAsync<JsonElement>($"/api/admin/users?q={name}");
        Assert.Equal(id, list.GetProperty("results")[0].GetProperty("id").GetGuid());
        var prefix = $"ord-{Guid.NewGuid():N}"[..12];
        var first = await system.Grains.ForName(prefix + "-b").CreateUserAsync(new NewUser(prefix + "-b", "ordering-password", false, [], "tests"));
        var second = await system.Grains.ForName(prefix + "-a").CreateUserAsync(new NewUser(prefix + "-a", "ordering-password", false, [], "tests"));
        async Task<Guid> FirstOf(string ordering) =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/admin/users?q={prefix}&ordering={ordering}")).GetProperty("results")[0].GetProperty("id").GetGuid();
        Assert.Equal(second.Id, await FirstOf("-created")); // sorted on the server
        Assert.Equal(first.Id, await FirstOf("created"));
        Assert.Equal(second.Id, await FirstOf("username"));
        Assert.Equal(first.Id, await FirstOf("-username"));
        Assert.Equal(second.Id, await FirstOf("drop table")); // not a sortable field: the default order (by name)

        var bad = await http.PatchAsJsonAsync($"/api/admin/users/{id}", new { email = "not-an-address" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("email", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PatchAsJsonAsync($"/api/admin/users/{id}", new { roles = new[] { "KING" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PatchAsJsonAsync($"/api/admin/users/{Guid.NewGuid()}", new { first_name = "x" })).StatusCode);

        var updated = await http.PatchAsJsonAsync($"/api/admin/users/{id}", new { first_name = "Ann", roles = new[] { "ADMINISTRATOR" }, tk_permissions = new[] { "USB_REDIR" } });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var view = await updated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Ann", view.GetProperty("first_name").GetString());
        Assert.Equal("ADMINISTRATOR", view.GetProperty("roles")[0].GetString());
        using (var same = GatewayClients.Http(Gateway, token))
        {
            // the operator's token of before: promoted and demoted from the next request on, no new login
            Assert.Equal(HttpStatusCode.OK, (await same.GetAsync("/api/admin/settings")).StatusCode);
            Assert.True((await http.PatchAsJsonAsync($"/api/admin/users/{id}", new { roles = new[] { "OPERATOR" } })).IsSuccessStatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await same.GetAsync("/api/admin/settings")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/api/admin/users/{id}", new { password = "a-new-password" })).StatusCode);
        using (var old = GatewayClients.Http(Gateway, token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetAsync("/api/admin/summary")).StatusCode); // the session ended with the old password
        }

        var fresh = await GatewayClients.LoginAsync(Gateway, name, "a-new-password");
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/api/admin/users/{id}", new { is_active = false })).StatusCode);
        using (var deactivated = GatewayClients.Http(Gateway, fresh))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await deactivated.GetAsync("/api/admin/pools")).StatusCode);
        }

        using var anon = GatewayClients.Http(Gateway);
        var refused = await (await anon.PostAsJsonAsync("/api/auth/", new { username = name, password = "a-new-password" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(refused.TryGetProperty("errors", out _));
        var me = await http.GetFromJsonAsync<JsonElement>("/api/admin/me");
        // nobody deactivates themselves: a refusal of the privilege (403), not of the field's value
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PatchAsJsonAsync($"/api/admin/users/{me.GetProperty("id").GetGuid()}", new { is_active = false })).StatusCode);
    }

    [Fact]
    public async Task Connected_thin_clients_are_listed_with_their_details()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var (userId, name) = scenario.Users[0];
        await using var client = new VeilConnectClient(system.GatewayUrls[1]);
        await client.LoginAsync(name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");

        using var http = await AdminAsync();
        var sessions = await http.GetFromJsonAsync<JsonElement>($"/api/admin/thin-clients?user_id={userId}");
        Assert.Equal(1, sessions.GetProperty("count").GetInt64());
        var session = sessions.GetProperty("results")[0];
        Assert.Equal(name, session.GetProperty("user_name").GetString());
        Assert.Equal(VeilConnectClient.Version, session.GetProperty("veil_connect_version").GetString());
        Assert.False(session.GetProperty("is_afk").GetBoolean()); // connecting counts as activity

        var summary = await http.GetFromJsonAsync<JsonElement>("/api/admin/summary");
        Assert.True(summary.GetProperty("thin_clients").GetProperty("connected").GetInt64() >= 1);

        // the history says why a session ended
        Assert.True((await http.PostAsJsonAsync("/api/admin/thin-clients/disconnect", new { conn_id = session.GetProperty("conn_id").GetGuid() })).IsSuccessStatusCode);
        Assert.True(await Eventually.TrueAsync(async () =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/admin/thin-clients?user_id={userId}&get_disconnected=true")).GetProperty("results")[0]
                .GetProperty("close_reason").GetString() == "ADMINISTRATOR", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Settings_change_the_password_policy_and_the_thin_client_limit_everywhere_and_bad_values_are_named()
    {
        using var http = await AdminAsync();
        var before = await http.GetFromJsonAsync<JsonElement>("/api/admin/settings");
        Assert.Equal("LOW", before.GetProperty("password_security_level").GetString());
        try
        {
            var bad = await http.PatchAsJsonAsync("/api/admin/settings", new { afk_timeout = 5 });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("afk_timeout", await bad.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.BadRequest, (await http.PatchAsJsonAsync("/api/admin/settings", new { password_security_level = "EXTREME" })).StatusCode);

            var changed = await http.PatchAsJsonAsync("/api/admin/settings", new { password_security_level = "HIGH", thin_client_limit = 1, afk_timeout = 600 });
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
            // the same session on the other gateway (a new login would end this one: one token per user)
            var other = GatewayClients.Http(system.GatewayUrls[1]);
            other.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", http.DefaultRequestHeaders.GetValues("Authorization"));
            using (other)
            {
                var read = await other.GetFromJsonAsync<JsonElement>("/api/admin/settings");
                Assert.Equal(600, read.GetProperty("afk_timeout").GetInt32());

                // the other gateway sees the new policy within its cache's few seconds
                var weak = new { username = $"weak-{Guid.NewGuid():N}"[..16], password = "lowercaseonly-password" };
                HttpResponseMessage? refused = null;
                Assert.True(await Eventually.TrueAsync(async () =>
                    (refused = await other.PostAsJsonAsync("/api/admin/users", weak with { username = $"weak-{Guid.NewGuid():N}"[..16] })).StatusCode == HttpStatusCode.BadRequest,
                    TimeSpan.FromSeconds(10)));
                Assert.Contains("password", await refused!.Content.ReadAsStringAsync());
                Assert.Equal(HttpStatusCode.Created, (await other.PostAsJsonAsync("/api/admin/users",
                    new { username = $"strong-{Guid.NewGuid():N}"[..16], password = "Winter-Lake-2026!" })).StatusCode);
            }

            // one thin client at most: a second VeiL Connect is refused at login while the first is connected
            Assert.True(await Eventually.TrueAsync(async () =>
                await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where disconnected is null") == 0, TimeSpan.FromSeconds(45)),
                "earlier tests' thin-client sessions are still open");
            await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 2);
            await using var first = new VeilConnectClient(Gateway);
            await first.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
            await first.ConnectAsync();
            await first.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
            using var anon = GatewayClients.Http(Gateway);
            anon.DefaultRequestHeaders.UserAgent.ParseAdd("thin-client");
            JsonElement second = default;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                second = await (await anon.PostAsJsonAsync("/api/auth/", new
                {
                    username = scenario.Users[1].Name, password = ThinClientScenario.Password, veil_connect_version = VeilConnectClient.Version,
                })).Content.ReadFromJsonAsync<JsonElement>();
                return second.TryGetProperty("errors", out _);
            }, TimeSpan.FromSeconds(10)));
            Assert.Equal("Thin client limit exceeded.", second.GetProperty("errors")[0].GetProperty("message").GetString());
        }
        finally
        {
            var restored = await http.PatchAsJsonAsync("/api/admin/settings", new { password_security_level = "LOW", thin_client_limit = 0, afk_timeout = 300 });
            Assert.True(restored.IsSuccessStatusCode, $"the settings were not restored: {restored.StatusCode}");
        }
    }

    [Fact]
    public async Task A_groups_roles_and_thin_client_permissions_reach_its_members()
    {
        using var http = await AdminAsync();
        var group = await (await http.PostAsJsonAsync("/api/admin/groups", new { verbose_name = $"ops-{Guid.NewGuid():N}"[..12] })).Content.ReadFromJsonAsync<JsonElement>();
        var groupId = group.GetProperty("id").GetGuid();
        var bad = await http.PatchAsJsonAsync($"/api/admin/groups/{groupId}", new { tk_permissions = new[] { "TELEPORT" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("tk_permissions", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PatchAsJsonAsync($"/api/admin/groups/{groupId}", new { roles = new[] { "KING" } })).StatusCode);
        var granted = await http.PatchAsJsonAsync($"/api/admin/groups/{groupId}", new { roles = new[] { "ADMINISTRATOR" }, tk_permissions = new[] { "USB_REDIR" } });
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);

        var (_, id, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway);
        using var member = GatewayClients.Http(Gateway, token);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/admin/pools")).StatusCode);

        // roles count from the next request, with the same token: granted by joining the group, gone on leaving it
        Assert.True((await http.PostAsJsonAsync($"/api/admin/groups/{groupId}/members", new { users = new[] { id } })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/admin/pools")).StatusCode);
        Assert.True((await http.PostAsJsonAsync($"/api/admin/groups/{groupId}/members/remove", new { users = new[] { id } })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/admin/pools")).StatusCode);
        Assert.True((await http.PostAsJsonAsync($"/api/admin/groups/{groupId}/members", new { users = new[] { id } })).IsSuccessStatusCode);
        var groups = await http.GetFromJsonAsync<JsonElement>("/api/admin/groups?limit=1000");
        var row = groups.GetProperty("results").EnumerateArray().Single(g => g.GetProperty("id").GetGuid() == groupId);
        Assert.Equal("USB_REDIR", row.GetProperty("tk_permissions")[0].GetString());
        Assert.Equal(1, row.GetProperty("members_count").GetInt64());

        // a thin client of a member gets the group's permissions with its VM
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        Assert.True((await http.PostAsJsonAsync($"/api/admin/groups/{groupId}/members", new { users = new[] { scenario.Users[0].Id } })).IsSuccessStatusCode);
        await using var client = new VeilConnectClient(Gateway);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var vm = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data");
        Assert.Equal(["USB_REDIR"], vm.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));

        // the member's grain keeps its groups' grants in memory: a change to the group reaches its next VM request
        Assert.True((await http.PatchAsJsonAsync($"/api/admin/groups/{groupId}", new { tk_permissions = new[] { "USB_REDIR", "FOLDERS_REDIR" } })).IsSuccessStatusCode);
        var again = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data");
        Assert.Equal(["FOLDERS_REDIR", "USB_REDIR"], again.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).Order());
        Assert.True((await http.PostAsJsonAsync($"/api/admin/groups/{groupId}/members/remove", new { users = new[] { scenario.Users[0].Id } })).IsSuccessStatusCode);
        var left = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data");
        Assert.Empty(left.GetProperty("permissions").EnumerateArray());
    }
}
