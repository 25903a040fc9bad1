using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 17: an ECP controller's own event log (the original's "ECP VeiL events") through the admin API: read from the
/// controller page by page, newest first, by level; administrators only.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class ControllerEventsTests(LiveSystemFixture system)
{
    [Fact]
    public async Task The_controllers_own_events_are_read_from_it_newest_first_by_page_and_level()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 1);
        var controller = await TestDb.ScalarAsync<Guid>("select controller_id from vdi_pools where id = @p", ("p", scenario.PoolId));
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Role.Administrator);
        using var http = GatewayClients.Http(system.GatewayUrls[0], token);

        // the pool's creation ran tasks on the controller, and the controller journalled them
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controller}/events?limit=2");
        Assert.True(page.GetProperty("count").GetInt64() >= 2);
        var rows = page.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Contains("completed", r.GetProperty("message").GetString()));
        Assert.True(rows[0].GetProperty("created").GetDateTimeOffset() >= rows[1].GetProperty("created").GetDateTimeOffset());
        var next = await http.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controller}/events?limit=2&offset=2");
        Assert.DoesNotContain(next.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetString()),
            id => rows.Any(r => r.GetProperty("id").GetString() == id));

        var errors = await http.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controller}/events?event_type=2");
        Assert.All(errors.GetProperty("results").EnumerateArray(), r => Assert.Equal(2, r.GetProperty("event_type").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync($"/api/admin/controllers/{controller}/events?event_type=7")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/api/admin/controllers/{Guid.NewGuid()}/events")).StatusCode);

        var (_, _, operatorToken) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Role.Operator);
        using var op = GatewayClients.Http(system.GatewayUrls[0], operatorToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync($"/api/admin/controllers/{controller}/events")).StatusCode);
    }
}
