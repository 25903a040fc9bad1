using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Gateway;

/// <summary>The admin REST API through a real gateway: login, roles, problem details, and a pool's life.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class AdminApiTests(LiveSystemFixture system)
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private HttpClient Gateway(string? token = null, int index = 0) => GatewayClients.Http(system.GatewayUrls[index], token);

    private Task<string> LoginAsync(string username, string password) => GatewayClients.LoginAsync(system.GatewayUrls[0], username, password);

    private async Task<string> UserWithRolesAsync(params Role[] roles) =>
        (await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], roles)).Token;

    [Fact]
    public async Task Login_answers_in_the_originals_envelope_and_a_wrong_password_is_an_error_in_a_200()
    {
        using var http = Gateway();
        var wrong = await http.PostAsJsonAsync("/auth/", new { username = system.AdminUsername, password = "nope-nope" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var error = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"Authentication failed for user: {system.AdminUsername}.", error.GetProperty("errors")[0].GetProperty("message").GetString());

        var ok = await (await http.PostAsJsonAsync("/api/auth", new { username = system.AdminUsername, password = system.AdminPassword }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var data = ok.GetProperty("data");
        Assert.Equal(system.AdminUsername, data.GetProperty("username").GetString());
        Assert.Matches(@"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2} UTC$", data.GetProperty("expires_on").GetString());
    }

    [Fact]
    public async Task Admin_endpoints_need_a_token_and_the_right_role()
    {
        using (var anonymous = Gateway())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/pools")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/tasks")).StatusCode);
        }

        using (var op = Gateway(await UserWithRolesAsync(Role.Operator)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("/api/admin/pools")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsJsonAsync("/api/admin/groups", new { verbose_name = "x" })).StatusCode);
        }

        using (var security = Gateway(await UserWithRolesAsync(Role.SecurityAdministrator)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await security.GetAsync("/api/admin/controllers")).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await security.PostAsJsonAsync("/api/admin/groups", new { verbose_name = $"g-{Guid.NewGuid():N}" })).StatusCode);
        }

        using (var admin = Gateway(await UserWithRolesAsync(Role.Administrator), index: 1))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/pools")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsJsonAsync("/api/admin/groups", new { verbose_name = "y" })).StatusCode);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_rows_of_the_admin_lists()
    {
        using var http = Gateway(await LoginAsync(system.AdminUsername, system.AdminPassword));
        var document = await http.GetFromJsonAsync<JsonElement>("/api/openapi/v1.json");
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var pool = schemas.GetProperty("PoolRow").GetProperty("properties");
        Assert.True(pool.TryGetProperty("verbose_name", out _) && pool.TryGetProperty("vm_count", out _));
        Assert.False(pool.TryGetProperty("total_count", out _)); // the page says it once
        Assert.True(schemas.GetProperty("SessionRow").GetProperty("properties").TryGetProperty("close_reason", out _));
        var paths = document.GetProperty("paths");
        var poolsList = (paths.TryGetProperty("/api/admin/pools", out var bare) ? bare : paths.GetProperty("/api/admin/pools/")).GetProperty("get");
        Assert.Contains("limit", poolsList.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Bad_input_gets_a_problem_naming_the_field_never_a_500()
    {
        using var http = Gateway(await LoginAsync(system.AdminUsername, system.AdminPassword));
        var noType = await http.PostAsJsonAsync("/api/admin/pools", new { verbose_name = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, noType.StatusCode);
        Assert.Contains("pool_type", (await noType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").ToString());

        var numericType = await http.PostAsJsonAsync("/api/admin/pools", new { pool_type = 5 }); // was a 409 "not possible now"
        Assert.Equal(HttpStatusCode.BadRequest, numericType.StatusCode);
        Assert.True((await numericType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("pool_type", out _));

        var badName = await http.PostAsJsonAsync("/api/admin/pools", new { pool_type = "AUTOMATED", verbose_name = "bad name", controller_id = Guid.NewGuid(), resource_pool_id = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal("application/problem+json", badName.Content.Headers.ContentType?.MediaType);
        Assert.Contains("verbose_name", (await badName.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").ToString());

        var badEnum = await http.PostAsJsonAsync("/api/admin/pools", new { pool_type = "AUTOMATED", connection_types = new[] { "X2GO" } });
        Assert.Equal(HttpStatusCode.BadRequest, badEnum.StatusCode);
        Assert.Contains("connection_types", await badEnum.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/admin/pools/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/api/admin/tasks/{Guid.NewGuid()}/cancel", null)).StatusCode);
        var badController = await http.PostAsJsonAsync("/api/admin/controllers", new { verbose_name = "c", address = "ftp://x", token = "t" });
        Assert.Equal(HttpStatusCode.BadRequest, badController.StatusCode);
        Assert.Contains("address", await badController.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_administrator_adds_a_controller_creates_a_pool_watches_its_task_and_assigns_a_vm()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = Gateway(await LoginAsync(system.AdminUsername, system.AdminPassword));

        var added = await http.PostAsJsonAsync("/api/admin/controllers", new { verbose_name = $"c-{Guid.NewGuid():N}"[..12], address = sim.Address, token = sim.Token, description = "" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var addedText = await added.Content.ReadAsStringAsync();
        Assert.DoesNotContain(sim.Token, addedText);
        var controller = JsonDocument.Parse(addedText).RootElement;
        Assert.Equal("ACTIVE", controller.GetProperty("status").GetString());
        var controllerId = controller.GetProperty("id").GetGuid();

        var templates = await http.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controllerId}/templates");
        var template = templates.EnumerateArray().Single(t => t.GetProperty("verbose_name").GetString() == "tpl-win10").GetProperty("id").GetGuid();
        var rp = (await http.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controllerId}/resource-pools"))[0].GetProperty("id").GetGuid();
        var dp = (await http.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controllerId}/data-pools"))[0].GetProperty("id").GetGuid();

        var create = await http.PostAsJsonAsync("/api/admin/pools", new
        {
            pool_type = "AUTOMATED",
            verbose_name = $"api-{Guid.NewGuid():N}"[..12],
            controller_id = controllerId,
            resource_pool_id = rp,
            datapool_id = dp,
            template_id = template,
            vm_name_template = "apivm",
            initial_size = 2,
            total_size = 3,
            connection_types = new[] { "SPICE", "RDP" },
        });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var pool = await create.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(new[] { "SPICE", "RDP" }, pool.GetProperty("connection_types").EnumerateArray().Select(c => c.GetString()));
        var poolId = pool.GetProperty("id").GetGuid();

        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var tasks = await http.GetFromJsonAsync<JsonElement>($"/api/admin/tasks?pool_id={poolId}&task_type=POOL_CREATE");
            return tasks.GetProperty("count").GetInt64() == 1 && tasks.GetProperty("results")[0].GetProperty("status").GetString() == "FINISHED";
        }, TimeSpan.FromSeconds(60)), "POOL_CREATE did not finish");
        Assert.Equal("ACTIVE", (await http.GetFromJsonAsync<JsonElement>($"/api/admin/pools/{poolId}")).GetProperty("status").GetString());

        var vms = await http.GetFromJsonAsync<JsonElement>($"/api/admin/pools/{poolId}/vms");
        Assert.Equal(2, vms.GetProperty("count").GetInt64());
        var vmId = vms.GetProperty("results")[0].GetProperty("id").GetGuid();

        var userName = $"u-{Guid.NewGuid():N}";
        var user = await (await http.PostAsJsonAsync("/api/admin/users", new { username = userName, password = "pw-123456" })).Content.ReadFromJsonAsync<JsonElement>();
        var userId = user.GetProperty("id").GetGuid();
        var notEntitled = await http.PostAsJsonAsync($"/api/admin/vms/{vmId}/assign", new { username = userName });
        Assert.Equal(HttpStatusCode.BadRequest, notEntitled.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsJsonAsync($"/api/admin/pools/{poolId}/entitlements", new { users = new[] { userId } })).StatusCode);
        var assigned = await (await http.PostAsJsonAsync($"/api/admin/vms/{vmId}/assign", new { username = userName })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(userId, assigned.GetProperty("owners")[0].GetGuid());

        var expand = await http.PostAsync($"/api/admin/pools/{poolId}/expand", null);
        Assert.Equal(HttpStatusCode.Accepted, expand.StatusCode);
        var power = await http.PostAsync($"/api/admin/vms/{vmId}/power/force-shutdown", null);
        Assert.Equal(HttpStatusCode.OK, power.StatusCode);
        Assert.Equal("OFF", (await power.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("power_state").GetString());
        Assert.Equal(1, (await sim.GetDomainAsync(vmId)).GetProperty("user_power_state").GetInt32());
    }
}
