using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Faults;

/// <summary>
/// Issue 18: an administrator's "disconnect all" and "cancel all", which act on everything the broker has. They run
/// on the fault collection's system, which has a database of its own, so "all" is this system's and no other
/// collection's sessions or tasks.
/// </summary>
[Collection(FaultSystemCollection.Name)]
public sealed class AdministratorSweepTests(FaultSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    [Fact]
    public async Task Disconnect_all_ends_every_open_session_on_every_gateway()
    {
        using var db = TestDb.Against(system.Db);
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 2);
        await using var first = new VeilConnectClient(system.GatewayUrls[0]);
        await using var second = new VeilConnectClient(system.GatewayUrls[1]);
        foreach (var (client, user) in new[] { (first, scenario.Users[0].Name), (second, scenario.Users[1].Name) })
        {
            await client.LoginAsync(user, ThinClientScenario.Password);
            await client.ConnectAsync();
            await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        }

        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsJsonAsync("/api/admin/thin-clients/disconnect", new { })).StatusCode);
        foreach (var client in new[] { first, second })
        {
            await client.WaitForAsync(m => m.ToString().Contains("\"DISCONNECT\""), TimeSpan.FromSeconds(20));
            Assert.True(await client.SocketClosedWithinAsync(TimeSpan.FromSeconds(20)), "the socket stayed open");
        }

        Assert.True(await Eventually.TrueAsync(async () =>
            await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where disconnected is null") == 0, TimeSpan.FromSeconds(20)),
            "sessions are still open");
    }

    [Fact]
    public async Task Cancel_all_cancels_every_unfinished_task_and_names_them()
    {
        using var db = TestDb.Against(system.Db);
        var (simA, _, taskA) = await ThinClientScenario.StartPoolCreationAsync(system.Grains, vms: 20, simulatorLatencyMs: 200);
        await using var a = simA;
        var (simB, _, taskB) = await ThinClientScenario.StartPoolCreationAsync(system.Grains, vms: 20, simulatorLatencyMs: 200);
        await using var b = simB;

        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/admin/tasks/cancel", new { })).StatusCode); // "all" must be said
        var cancelled = await admin.PostAsJsonAsync("/api/admin/tasks/cancel", new { all = true });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var ids = (await cancelled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelled").EnumerateArray().Select(e => e.GetGuid()).ToList();
        Assert.Contains(taskA, ids);
        Assert.Contains(taskB, ids);
        foreach (var task in new[] { taskA, taskB })
        {
            Assert.True(await Eventually.TrueAsync(async () => (await system.Grains.GetGrain<ITaskGrain>(task).GetAsync()) is { Status: BrokerTaskStatus.Cancelled },
                TimeSpan.FromSeconds(30)), $"task {task} was not cancelled");
        }
    }
}
