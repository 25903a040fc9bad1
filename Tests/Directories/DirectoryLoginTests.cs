using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Directories;

/// <summary>
/// Issue 15: VeiL Connect's <c>"ldap": true</c> login against the real slapd - each username form, the user created at
/// the first login (no local password, its source shown), the answer's <c>domain</c>, <c>/settings/</c>'s <c>ldap</c>,
/// a wrong password, and a directory that is down (a clear error; local users still log in).
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class DirectoryLoginTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private static Task<JsonElement> LdapLoginAsync(Uri gateway, string username, string password, bool ldap = true) =>
        TestDirectories.LdapLoginAsync(gateway, username, password, ldap: ldap);

    [Fact]
    public async Task A_directory_user_logs_in_with_ldap_in_each_form_and_is_created_at_the_first_login()
    {
        var ldap = TestServices.Ldap;
        var plain = new Uri(ldap.Url);
        var directory = system.Grains.GetGrain<IDirectoryGrain>(Guid.NewGuid());
        await directory.CreateAsync(new DirectorySettings
        {
            VerboseName = $"login-{Guid.NewGuid():N}"[..16], Kind = DirectoryKind.OpenLdap, Servers = [$"{plain.Host}:{plain.Port}"],
            Security = DirectorySecurity.None, BaseDn = ldap.BaseDn, ServiceDn = ldap.ServiceDn, ServicePassword = ldap.ServicePassword, Domain = "VDI",
        }, "tests");
        try
        {
            using (var anonymous = GatewayClients.Http(Gateway))
            {
                // /settings/ reads the directory at most every 5 s (VeiL Connect asks before every login)
                Assert.True(await Eventually.TrueAsync(async () => (await anonymous.GetFromJsonAsync<JsonElement>("/api/settings/"))
                    .GetProperty("data").GetProperty("ldap").GetString() == "VDI", TimeSpan.FromSeconds(15)));
            }

            foreach (var typed in new[] { "ldap-alice", "VDI\\ldap-alice", "ldap-alice@vdi.test" })
            {
                var ok = await LdapLoginAsync(Gateway, typed, ldap.UserPassword);
                Assert.True(ok.TryGetProperty("data", out var data), $"{typed}: {ok}");
                Assert.Equal(("ldap-alice", "VDI"), (data.GetProperty("username").GetString(), data.GetProperty("domain").GetString()));
                using var client = GatewayClients.Http(Gateway);
                client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {data.GetProperty("access_token").GetString()}");
                Assert.True((await client.GetAsync("/api/client/pools")).IsSuccessStatusCode);
            }

            var id = (await system.Grains.ForName("ldap-alice").FindUserIdAsync())!.Value;
            var user = (await system.Grains.GetGrain<IUserGrain>(id).GetAsync())!;
            Assert.Equal(("DIRECTORY", "Alice", "Liddell", "alice@vdi.test"), (user.Source, user.FirstName, user.LastName, user.Email));
            Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @u and description like 'Auth type: Ldap,%'", ("u", id)) >= 3);

            // the directory checks the password; the user has no local one
            Assert.Equal("Authentication failed for user: ldap-alice.", (await LdapLoginAsync(Gateway, "ldap-alice", "not-the-password")).GetProperty("errors")[0].GetProperty("message").GetString());
            Assert.True((await LdapLoginAsync(Gateway, "ldap-alice", ldap.UserPassword, ldap: false)).TryGetProperty("errors", out _));
            // a filter in the name reaches nobody, and creates nobody
            Assert.True((await LdapLoginAsync(Gateway, "ldap-*", ldap.UserPassword)).TryGetProperty("errors", out _));
            Assert.Null(await system.Grains.ForName("ldap-*").FindUserIdAsync());

            // the directory down: a clear answer, never a 500; local users still log in
            await directory.UpdateAsync(new DirectorySettings { Servers = [$"127.0.0.1:{FreePort.Next()}"], TimeoutSeconds = 2 }, "tests");
            var down = await LdapLoginAsync(Gateway, "ldap-alice", ldap.UserPassword);
            Assert.Contains("The directory is unreachable", down.GetProperty("errors")[0].GetProperty("message").GetString());
            Assert.True((await LdapLoginAsync(Gateway, system.AdminUsername, system.AdminPassword, ldap: false)).TryGetProperty("data", out _));
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }

    [Fact]
    public async Task The_first_mapping_that_matches_in_priority_order_puts_the_user_in_its_groups()
    {
        var ldap = TestServices.Ldap;
        var plain = new Uri(ldap.Url);
        var groups = new List<Guid>();
        foreach (var name in new[] { "operators", "by-name", "accounting" })
        {
            groups.Add((await system.Grains.GetGrain<Vdi.Grains.Interfaces.Groups.IGroupGrain>(Guid.NewGuid())
                .CreateAsync($"map-{name}-{Guid.NewGuid():N}"[..24], "", "tests")).Id);
        }

        var directory = system.Grains.GetGrain<IDirectoryGrain>(Guid.NewGuid());
        await directory.CreateAsync(new DirectorySettings
        {
            VerboseName = $"map-{Guid.NewGuid():N}"[..16], Kind = DirectoryKind.OpenLdap, Servers = [$"{plain.Host}:{plain.Port}"],
            Security = DirectorySecurity.None, BaseDn = ldap.BaseDn, ServiceDn = ldap.ServiceDn, ServicePassword = ldap.ServicePassword, Domain = "VDI",
            Mappings =
            [
                new DirectoryMapping("accounting OU", DirectoryMappingKind.Ou, ["accounting"], [groups[2]], Priority: 30),
                new DirectoryMapping("operators", DirectoryMappingKind.Group, ["vdi-operators"], [groups[0]], Priority: 10),
                new DirectoryMapping("bob by name", DirectoryMappingKind.User, ["LDAP-BOB"], [groups[1]], Priority: 20),
            ],
        }, "tests");
        try
        {
            foreach (var who in new[] { "ldap-alice", "ldap-bob" })
            {
                Assert.True((await LdapLoginAsync(Gateway, who, ldap.UserPassword)).TryGetProperty("data", out _), who);
            }

            async Task<Guid[]> GroupsOfAsync(string name) => [.. await TestDb.ScalarsAsync<Guid>(
                "select m.group_id from vdi_group_members m join vdi_users u on u.id = m.user_id where u.username = @n and m.group_id = any(@g)",
                ("n", name), ("g", groups.ToArray()))];
            Assert.Equal([groups[0]], await GroupsOfAsync("ldap-alice")); // her directory group, priority 10
            Assert.Equal([groups[1]], await GroupsOfAsync("ldap-bob"));   // his name (20) before his OU (30)
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }

    [Fact]
    public async Task A_trusted_domains_user_is_found_under_its_own_base_and_is_not_the_local_domains_namesake()
    {
        var ldap = TestServices.Ldap;
        var directory = system.Grains.GetGrain<IDirectoryGrain>(Guid.NewGuid());
        await directory.CreateAsync(TestDirectories.OpenLdap() with
        {
            TrustedDomains = [new TrustedDomain("PARTNER", "partner.test", "dc=partner,dc=test")],
        }, "tests");
        try
        {
            foreach (var typed in new[] { "PARTNER\\ldap-alice", "ldap-alice@partner.test", "partner\\LDAP-ALICE" })
            {
                var ok = await LdapLoginAsync(Gateway, typed, ldap.UserPassword);
                Assert.True(ok.TryGetProperty("data", out var data), $"{typed}: {ok}");
                Assert.Equal(("ldap-alice@partner.test", "PARTNER"), (data.GetProperty("username").GetString(), data.GetProperty("domain").GetString()));
            }

            var partner = (await system.Grains.GetGrain<IUserGrain>((await system.Grains.ForName("ldap-alice@partner.test").FindUserIdAsync())!.Value).GetAsync())!;
            Assert.Equal(("Partner", "alice@partner.test", "DIRECTORY"), (partner.LastName, partner.Email, partner.Source));

            // the local domain's ldap-alice is another person and another broker user
            var local = await LdapLoginAsync(Gateway, "VDI\\ldap-alice", ldap.UserPassword);
            Assert.Equal("ldap-alice", local.GetProperty("data").GetProperty("username").GetString());
            Assert.NotEqual(partner.Id, await system.Grains.ForName("ldap-alice").FindUserIdAsync());

            // a domain nobody trusts is the local domain's name, as before
            Assert.Equal("ldap-alice", (await LdapLoginAsync(Gateway, "OTHER\\ldap-alice", ldap.UserPassword)).GetProperty("data").GetProperty("username").GetString());

            // bad settings are refused naming the field
            var refused = await Assert.ThrowsAsync<Vdi.Grains.Interfaces.Errors.BrokerException>(() => directory.UpdateAsync(new DirectorySettings
            {
                TrustedDomains = [new TrustedDomain("P", "not a dns name", "dc=partner,dc=test")],
            }, "tests"));
            Assert.Equal("trusted_domains", refused.Field);
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }
}
