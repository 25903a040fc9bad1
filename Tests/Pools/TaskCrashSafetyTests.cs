using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Pools;

/// <summary>A task survives the silo that runs it, and a controller failure pauses tasks that recovery resumes.</summary>
[Collection(ControllerCollection.Name)]
public sealed class TaskCrashSafetyTests(TwoSiloClusterFixture fixture)
{
    [Fact]
    public async Task A_pool_creation_whose_silo_dies_resumes_elsewhere_with_exactly_the_vms_asked_for()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        await kit.Sim.SetFaultsAsync(latencyMs: 150); // long enough to kill the silo in the middle
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 30, total: 30) with { StartVms = false }, "admin");
        var taskId = await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE");
        var task = fixture.Client.GetGrain<ITaskGrain>(taskId);
        Assert.True(await Eventually.TrueAsync(async () => (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count > 0, TimeSpan.FromSeconds(30)),
            "the controller never started cloning");

        var host = await task.GetHostAsync();
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos.Single(s => s.SiloAddress.ToString() == host));
        try
        {
            await kit.Sim.SetFaultsAsync();
            TaskView? finished = null;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    finished = await task.GetAsync();
                    return finished is { IsFinished: true };
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    return false; // the dead silo is still in the directory for a moment
                }
            }, TimeSpan.FromSeconds(90)), $"the task did not finish after its silo died: {finished}");

            Assert.Equal(BrokerTaskStatus.Finished, finished!.Status);
            Assert.NotEqual(host, await task.GetHostAsync());
            Assert.Equal(PoolStatus.Active, (await pool.GetAsync())!.Status);
            Assert.Equal(30, (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count);
            Assert.Equal(30L, await TestDb.ScalarAsync<long>("select count(*) from vdi_vms where pool_id = @p", ("p", view.Id)));
        }
        finally
        {
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }

    [Fact]
    public async Task A_controller_failure_cancels_its_tasks_as_resumable_and_recovery_resumes_them()
    {
        await using var kit = await PoolKit.StartAsync(fixture.Client);
        await kit.Sim.SetFaultsAsync(latencyMs: 100);
        var pool = fixture.Client.GetGrain<IPoolGrain>(Guid.NewGuid());
        var view = await pool.CreateAsync(PoolType.Automated, kit.Automated(initial: 40, total: 40) with { StartVms = false }, "admin");
        var taskId = await PoolKit.LastTaskAsync(view.Id, "POOL_CREATE");
        var task = fixture.Client.GetGrain<ITaskGrain>(taskId);
        Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync())!.Status == BrokerTaskStatus.InProgress, TimeSpan.FromSeconds(10)));

        await kit.Sim.SetFaultsAsync(down: true);
        Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync()) is { Status: BrokerTaskStatus.Cancelled, Resumable: true },
            TimeSpan.FromSeconds(30)), "the controller's failure did not cancel the task as resumable");
        // the task may pause by itself (its own call failed) before the controller's check declares the controller
        // FAILED, which takes that check's timeouts on a busy machine; then the controller fails its pools
        var controller = fixture.Client.GetGrain<Vdi.Grains.Interfaces.Controllers.IControllerGrain>(kit.ControllerId);
        Assert.True(await Eventually.TrueAsync(async () => (await controller.GetAsync())!.Status == Vdi.Grains.Interfaces.Controllers.ControllerStatus.Failed,
            TimeSpan.FromSeconds(60)), "the controller was not declared FAILED");
        Assert.True(await Eventually.TrueAsync(async () => (await pool.GetAsync())!.Status == PoolStatus.Failed, TimeSpan.FromSeconds(10)),
            "the controller's failure did not fail its pool");

        await kit.Sim.SetFaultsAsync();
        TaskView? done = null;
        Assert.True(await Eventually.TrueAsync(async () => (done = await task.GetAsync()) is { Status: BrokerTaskStatus.Finished },
            TimeSpan.FromSeconds(90)), $"the task was not resumed to the end: {done}");
        Assert.Equal(PoolStatus.Active, (await pool.GetAsync())!.Status);
        Assert.Equal(40, (await kit.DomainsNamedAsync(view.VmNameTemplate!)).Count);
    }
}
