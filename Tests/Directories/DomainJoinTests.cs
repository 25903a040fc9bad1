using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vdi.Grains.Directories;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Tests.Fixtures;
using Vdi.Tests.Pools;
using Vdi.Tests.ThinClients;
using DirectoryConnection = Vdi.Grains.Directories.DirectoryConnection;

namespace Vdi.Tests.Directories;

/// <summary>
/// Issue 18, domain join: an automated pool with <c>include_vms_in_ad</c> sends the Active Directory's service account
/// and the pool's OU in <c>vdi-prepare</c>'s <c>set_ad</c>, as the original does; removing the pool with
/// <c>delete_computers_from_ad</c> deletes the VMs' computer objects from the real domain controller (Samba's AD DC,
/// where the service account is delegated computer objects in OU=VDI, as a site delegates its join account).
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class DomainJoinTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public void The_join_account_is_built_from_the_directory_and_the_pools_ou()
    {
        var ad = new DirectoryConnection(DirectoryKind.ActiveDirectory, ["dc1"], DirectorySecurity.None, "DC=corp,DC=example,DC=org",
            "CN=vdi-join,OU=Service,DC=corp,DC=example,DC=org", "secret");
        Assert.Equal(new DomainJoin("corp.example.org", "vdi-join", "secret", "OU=VDI,OU=Desktops,DC=corp,DC=example,DC=org"),
            DomainJoin.For(ad, "OU=VDI,OU=Desktops"));
        Assert.Equal("OU=VDI,DC=corp,DC=example,DC=org", DomainJoin.For(ad, " OU=VDI,DC=corp,DC=example,DC=org ").OuPath); // a full DN as it is
        Assert.Null(DomainJoin.For(ad, "").OuPath); // the domain's default container
        Assert.Equal("join@corp.example.org", DomainJoin.For(ad with { ServiceDn = "join@corp.example.org" }, "").Login);
        Assert.DoesNotContain("secret", DomainJoin.For(ad, "").ToString());
    }

    [Fact]
    public async Task Vms_join_the_domain_at_preparation_and_their_computer_objects_leave_it_with_the_pool()
    {
        // the first enabled directory is also where logins go: removed at the end, as the directory tests do
        var directory = system.Grains.GetGrain<IDirectoryGrain>(Guid.NewGuid());
        await directory.CreateAsync(TestDirectories.ActiveDirectory(), "tests");
        try
        {
            await JoinAndLeaveAsync();
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }

    private async Task JoinAndLeaveAsync()
    {
        await using var kit = await PoolKit.StartAsync(system.Grains);
        var settings = kit.Automated(initial: 2, total: 2) with { IncludeVmsInAd = true, AdOu = "OU=VDI", SetVmsHostnames = true, StartVms = false };
        var poolId = Guid.NewGuid();
        await system.Grains.GetGrain<IPoolGrain>(poolId).CreateAsync(PoolType.Automated, settings, "tests");
        Assert.Equal(BrokerTaskStatus.Finished, (await kit.WaitForTaskAsync(await PoolKitTasks.PoolCreateTaskAsync(poolId))).Status);

        var vms = await TestDb.ScalarsAsync<Guid>("select id from vdi_vms where pool_id = @p", ("p", poolId));
        Assert.Equal(2, vms.Count);
        var ad = TestServices.Ad;
        var names = new List<string>();
        foreach (var vm in vms)
        {
            var domain = await kit.Sim.Http.GetFromJsonAsync<JsonElement>($"/sim/domains/{vm}");
            var join = domain.GetProperty("sim_ad");
            Assert.Equal(("ad.vdi.test", "vdi-service", "OU=VDI,DC=ad,DC=vdi,DC=test"),
                (join.GetProperty("domainname").GetString(), join.GetProperty("login").GetString(), join.GetProperty("oupath").GetString()));
            Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ad.ServicePassword))).ToLowerInvariant(),
                join.GetProperty("password_sha256").GetString());
            names.Add((await system.Grains.GetGrain<IVmGrain>(vm).GetAsync())!.VerboseName);
        }

        // what Windows does when it joins: a computer object named after the host, in the OU
        using var ldap = Connect();
        foreach (var name in names)
        {
            ldap.SendRequest(new AddRequest($"CN={name},{ad.ComputersOu}", new DirectoryAttribute("objectClass", "computer"),
                new DirectoryAttribute("cn", name), new DirectoryAttribute("sAMAccountName", name + "$"), new DirectoryAttribute("userAccountControl", "4096")));
        }

        Assert.Equal(2, Computers(ldap, names).Count);
        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        var removal = await admin.DeleteAsync($"/api/admin/pools/{poolId}?delete_computers_from_ad=true");
        Assert.Equal(HttpStatusCode.Accepted, removal.StatusCode);
        var task = await kit.WaitForTaskAsync((await removal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        Assert.Equal(BrokerTaskStatus.Finished, task.Status);
        Assert.Contains("2 computer objects removed from Active Directory", task.Message);
        Assert.Empty(Computers(ldap, names));
    }

    private static LdapConnection Connect()
    {
        var ad = TestServices.Ad;
        var url = new Uri(ad.Url);
        var connection = new LdapConnection(new LdapDirectoryIdentifier(url.Host, url.Port), new NetworkCredential(ad.ServiceDn, ad.ServicePassword), AuthType.Basic);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.Bind();
        return connection;
    }

    private static List<string> Computers(LdapConnection ldap, IReadOnlyList<string> names) =>
        [.. names.Where(n => ((SearchResponse)ldap.SendRequest(new SearchRequest(TestServices.Ad.BaseDn, $"(&(objectClass=computer)(cn={n}))", SearchScope.Subtree, "cn"))).Entries.Count > 0)];
}
