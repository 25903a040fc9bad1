using System.Net.WebSockets;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Faults;

/// <summary>
/// Issue 13 §2: Postgres really stopped (pg_ctl stop -m immediate) while a client is in its desktop. Nothing is
/// a 500 or a 401 for a valid token, the socket stays open, the desktop is not acted on, a login attempted during the
/// outage replaces nothing, and everything recovers by itself within 10 s of the database's return.
/// </summary>
[Collection(FaultSystemCollection.Name)]
public sealed class PostgresOutageTests(FaultSystemFixture system)
{
    private Uri Gateway(int i = 0) => system.GatewayUrls[i];

    [Fact]
    public async Task A_postgres_outage_costs_no_login_no_socket_and_no_desktop_and_all_recovers_within_10_s()
    {
        using var db = TestDb.Against(system.Db);
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await system.Grains.GetGrain<IPoolGrain>(scenario.PoolId).UpdateAsync(
            new PoolSettings { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown, VmDisconnectActionTimeout = 1 }, "admin");
        var name = scenario.Users[0].Name;
        await using var client = new VeilConnectClient(Gateway(0));
        await client.LoginAsync(name, ThinClientScenario.Password);
        await client.ConnectAsync();
        await client.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
        var vm = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = vm, connection_type = "SPICE", is_connection_secure = false });
        Assert.Equal(200, (await client.GetAsync("/api/client/pools")).Status);
        await using var other = new VeilConnectClient(Gateway(1)); // the same user logging in elsewhere during the outage

        await system.StopPostgresAsync();
        var statuses = new List<(string What, int Status)>();
        try
        {
            // the session cannot record the client's statistics: it says so, and the socket stays open
            await client.SendNetworkStatsAsync(vm);
            await client.WaitForAsync(m => m.TryGetProperty("error", out var e) && e.GetBoolean() && m.GetProperty("msg").GetString()!.Contains("could not record"),
                TimeSpan.FromSeconds(30));

            for (var round = 0; round < 3; round++)
            {
                statuses.Add(("pools", (await client.GetAsync("/api/client/pools")).Status));
                var login = await other.LoginRawAsync(name, ThinClientScenario.Password);
                statuses.Add(("login", login.Status));
                Assert.True(login.Status != 503 || login.RetryAfter == "5", $"a 503 without Retry-After: {login.RetryAfter}");
                statuses.Add(("get-vm", (await client.GetVmAsync(scenario.PoolId)).Status));
                await client.SendNetworkStatsAsync(vm);
            }

            Assert.Null(client.CloseStatus);
            Assert.True(statuses.Contains(("login", 503)), string.Join(", ", statuses));
        }
        finally
        {
            await system.StartPostgresAsync();
        }

        var back = DateTime.UtcNow;
        Assert.All(statuses, s => Assert.True(s.Status is 200 or 503, $"{s.What} answered {s.Status} during the outage"));

        // recovery by itself: the old token is still the user's (the failed login replaced nothing)
        Assert.True(await Eventually.TrueAsync(async () => (await client.GetAsync("/api/client/pools")).Status == 200, TimeSpan.FromSeconds(10)),
            "the pools list did not come back within 10 s");
        Assert.True(await Eventually.TrueAsync(async () => (await client.GetVmAsync(scenario.PoolId)).Status == 200, TimeSpan.FromSeconds(10)),
            "get-VM did not come back within 10 s");
        Assert.True(DateTime.UtcNow - back < TimeSpan.FromSeconds(12), $"recovered after {(DateTime.UtcNow - back).TotalSeconds:0.0} s");
        Assert.Null(client.CloseStatus);
        Assert.Equal(3, (await scenario.Sim.GetDomainAsync(vm)).GetProperty("user_power_state").GetInt32());
        Assert.Equal(0, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @v and message like 'Action upon user disconnect completed.%'", ("v", vm)));

        // the socket that lived through the outage records events again
        await client.SendEventAsync(new { msg_type = "UPDATED", @event = "network_stats", vm_id = vm, connection_type = "SPICE", total = 4242 });
        Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_vm_connections where vm_id = @v and read_speed = 4242", ("v", vm)) == 1, TimeSpan.FromSeconds(10)),
            "the socket's events are not recorded after the outage");
        Assert.Equal(200, (await other.LoginRawAsync(name, ThinClientScenario.Password)).Status);
    }

    [Fact]
    public async Task A_task_whose_database_goes_away_mid_run_is_never_left_in_progress_and_finishes_once_it_is_back()
    {
        using var db = TestDb.Against(system.Db);
        var (sim, poolId, taskId) = await ThinClientScenario.StartPoolCreationAsync(system.Grains, vms: 6, simulatorLatencyMs: 300);
        await using var _ = sim;
        var task = system.Grains.GetGrain<Vdi.Grains.Interfaces.Tasks.ITaskGrain>(taskId);
        Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync()) is { Status: Vdi.Grains.Interfaces.Tasks.BrokerTaskStatus.InProgress, Progress: > 0 },
            TimeSpan.FromSeconds(30)), "the pool's creation did not start");

        await system.StopPostgresAsync();
        try
        {
            // the run's next write fails: it pauses (or its activation is dropped and runs again later), never a wedge
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    return (await task.GetAsync())!.Status != Vdi.Grains.Interfaces.Tasks.BrokerTaskStatus.InProgress;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    return true; // its activation was dropped with the unsaved state; the record says IN_PROGRESS until it runs again
                }
            }, TimeSpan.FromSeconds(30)), "the task stayed IN_PROGRESS in memory while nothing could be written");
        }
        finally
        {
            await sim.SetFaultsAsync();
            await system.StartPostgresAsync();
        }

        Assert.True(await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await task.GetAsync()) is { Status: Vdi.Grains.Interfaces.Tasks.BrokerTaskStatus.Finished };
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60)), $"the task did not finish after the database came back: {await TaskStatusAsync(taskId)}");
        Assert.Equal(6L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where pool_id = @p", ("p", poolId)));
        Assert.Equal("FINISHED", await TestDb.ScalarAsync<string>("select status from vdi_tasks where id = @t", ("t", taskId)));
    }

    private static Task<string?> TaskStatusAsync(Guid taskId) =>
        TestDb.ScalarAsync<string>("select status || ': ' || coalesce(message, '') from vdi_tasks where id = @t", ("t", taskId));
}
