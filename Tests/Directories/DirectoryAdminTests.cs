using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Directories;

/// <summary>
/// Issue 15: directories are configured by security administrators, checked by "test connection" against the real
/// slapd with the exact failure named, and the service account's password is encrypted at rest and never answered.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class DirectoryAdminTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private static object Body(string name, string? password = null, string security = "NONE")
    {
        var ldap = TestServices.Ldap;
        var server = new Uri(security == "LDAPS" ? ldap.SecureUrl : ldap.Url);
        return new
        {
            verbose_name = name, kind = "OPEN_LDAP", servers = new[] { $"{server.Host}:{server.Port}" }, security, base_dn = ldap.BaseDn,
            service_dn = ldap.ServiceDn, service_password = password ?? ldap.ServicePassword, domain = "VDI", ca_directory = ldap.CaDirectory, timeout = 5,
        };
    }

    [Fact]
    public async Task A_security_administrator_adds_and_tests_a_directory_and_its_password_never_comes_back()
    {
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.SecurityAdministrator);
        using var http = GatewayClients.Http(Gateway, token);
        var name = $"dir-{Guid.NewGuid():N}"[..16];
        var created = await http.PostAsJsonAsync("/api/admin/directories", Body(name, security: "LDAPS"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var text = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain(TestServices.Ldap.ServicePassword, text);
        var view = JsonDocument.Parse(text).RootElement;
        var id = view.GetProperty("id").GetGuid();
        Assert.True(view.GetProperty("has_service_password").GetBoolean());
        Assert.Equal("OPEN_LDAP", view.GetProperty("kind").GetString());

        // encrypted at rest: the grain's stored state does not hold it
        Assert.Equal(0L, await TestDb.ScalarAsync<long>(
            "select count(*) from orleansstorage where position(convert_to(@p, 'UTF8') in payloadbinary) > 0", ("p", TestServices.Ldap.ServicePassword)));

        var ok = await (await http.PostAsync($"/api/admin/directories/{id}/test", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("OK", ok.GetProperty("outcome").GetString());

        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/api/admin/directories/{id}", new { service_password = "wrong-service-password" })).StatusCode);
        var refused = await (await http.PostAsync($"/api/admin/directories/{id}/test", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("BAD_SERVICE_CREDENTIALS", refused.GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.PatchAsJsonAsync($"/api/admin/directories/{id}", new { base_dn = "dc=nowhere,dc=test", service_password = TestServices.Ldap.ServicePassword })).StatusCode);
        var missing = await (await http.PostAsync($"/api/admin/directories/{id}/test", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("BASE_DN_NOT_FOUND", missing.GetProperty("outcome").GetString());

        var list = await http.GetFromJsonAsync<JsonElement>("/api/admin/directories");
        Assert.Contains(list.GetProperty("results").EnumerateArray(), d => d.GetProperty("id").GetGuid() == id);
        Assert.Equal(2L, await TestDb.ScalarAsync<long>( // both changes gave a new password: said, never shown
            "select count(*) from vdi_journal where entity_id = @id and message like 'Directory % has been changed.' and description like '%service_password: changed%' and description not like @p",
            ("id", id), ("p", $"%{TestServices.Ldap.ServicePassword}%")));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/admin/directories/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/admin/directories/{id}")).StatusCode);
    }

    [Fact]
    public async Task Bad_settings_are_refused_naming_the_field_and_leave_nothing()
    {
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, Role.SecurityAdministrator);
        using var http = GatewayClients.Http(Gateway, token);
        var name = $"bad-{Guid.NewGuid():N}"[..16];
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { verbose_name = name, kind = "OPEN_LDAP", servers = new[] { "ldap.example:99999" }, base_dn = "dc=x", service_dn = "cn=s,dc=x", service_password = "p" }, "servers"),
            (new { verbose_name = name, kind = "OPEN_LDAP", servers = new[] { "ldap.example" }, base_dn = "no equals sign", service_dn = "cn=s,dc=x", service_password = "p" }, "base_dn"),
            (new { verbose_name = name, kind = "OPEN_LDAP", servers = new[] { "ldap.example" }, base_dn = "dc=x", service_dn = "cn=s,dc=x" }, "service_password"),
            (new { verbose_name = name, kind = "OPEN_LDAP", servers = new[] { "ldap.example" }, base_dn = "dc=x", service_dn = "cn=s,dc=x", service_password = "p", timeout = 0 }, "timeout"),
        })
        {
            var refused = await http.PostAsJsonAsync("/api/admin/directories", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(field, await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_directories where verbose_name = @n", ("n", name)));
    }
}
