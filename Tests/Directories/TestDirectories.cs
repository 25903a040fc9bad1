using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Directories;

/// <summary>The test directories as broker directories, and changes to the slapd tree made as its administrator.</summary>
internal static class TestDirectories
{
    public static DirectorySettings OpenLdap(string domain = "VDI", IReadOnlyList<DirectoryMapping>? mappings = null, bool? createUsers = null)
    {
        var ldap = TestServices.Ldap;
        var plain = new Uri(ldap.Url);
        return new DirectorySettings
        {
            VerboseName = $"ol-{Guid.NewGuid():N}"[..16], Kind = DirectoryKind.OpenLdap, Servers = [$"{plain.Host}:{plain.Port}"],
            Security = DirectorySecurity.None, BaseDn = ldap.BaseDn, ServiceDn = ldap.ServiceDn, ServicePassword = ldap.ServicePassword, Domain = domain,
            Mappings = mappings, CreateUsers = createUsers,
        };
    }

    public static DirectorySettings ActiveDirectory(IReadOnlyList<DirectoryMapping>? mappings = null)
    {
        var ad = TestServices.Ad;
        var url = new Uri(ad.Url);
        return new DirectorySettings
        {
            VerboseName = $"ad-{Guid.NewGuid():N}"[..16], Kind = DirectoryKind.ActiveDirectory, Servers = [$"{url.Host}:{url.Port}"],
            Security = DirectorySecurity.None, BaseDn = ad.BaseDn, ServiceDn = ad.ServiceDn, ServicePassword = ad.ServicePassword, Domain = ad.Domain,
            Mappings = mappings,
        };
    }

    /// <summary>VeiL Connect's login with "Log in with LDAP" ticked.</summary>
    public static async Task<JsonElement> LdapLoginAsync(Uri gateway, string username, string password, string code = "", bool ldap = true)
    {
        using var http = GatewayClients.Http(gateway);
        http.DefaultRequestHeaders.UserAgent.ParseAdd("thin-client");
        var reply = await http.PostAsJsonAsync("/api/auth/", new { username, password, code, ldap, veil_connect_version = ThinClients.VeilConnectClient.Version });
        return await reply.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Runs LDAP changes on the test slapd as its administrator.</summary>
    public static void Change(params DirectoryRequest[] requests)
    {
        var ldap = TestServices.Ldap;
        var url = new Uri(ldap.Url);
        var admin = TestServices.LdapAdmin;
        using var connection = new LdapConnection(new LdapDirectoryIdentifier(url.Host, url.Port), new NetworkCredential(admin.Dn, admin.Password), AuthType.Basic);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.Bind();
        foreach (var request in requests)
        {
            connection.SendRequest(request);
        }
    }

    public static string PersonDn(string uid) => $"uid={uid},ou=people,{TestServices.Ldap.BaseDn}";

    public static AddRequest Person(string uid) => new(PersonDn(uid),
        new DirectoryAttribute("objectClass", "inetOrgPerson"), new DirectoryAttribute("uid", uid), new DirectoryAttribute("cn", uid),
        new DirectoryAttribute("sn", "Synced"), new DirectoryAttribute("givenName", uid), new DirectoryAttribute("userPassword", TestServices.Ldap.UserPassword));

    public static AddRequest Group(string cn, params string[] uids) => new($"cn={cn},ou=groups,{TestServices.Ldap.BaseDn}",
        new DirectoryAttribute("objectClass", "groupOfNames"), new DirectoryAttribute("cn", cn),
        new DirectoryAttribute("member", [.. uids.Select(PersonDn).Cast<object>()]));
}
