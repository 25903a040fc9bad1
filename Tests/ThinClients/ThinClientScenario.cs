using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>A controller (simulator), an automated pool of ready VMs, and entitled users, made through the grains.</summary>
public sealed class ThinClientScenario : IAsyncDisposable
{
    private ThinClientScenario(SimulatorHost sim, Guid poolId, IReadOnlyList<(Guid Id, string Name)> users)
    {
        Sim = sim;
        PoolId = poolId;
        Users = users;
    }

    public SimulatorHost Sim { get; }
    public Guid PoolId { get; }
    public IReadOnlyList<(Guid Id, string Name)> Users { get; }
    public const string Password = "user-password-1";

    public static async Task<ThinClientScenario> StartAsync(IGrainFactory grains, int vms, int users, ConnectionType[]? protocols = null, int? totalSize = null)
    {
        var (sim, poolId, taskId) = await StartPoolCreationAsync(grains, vms, protocols, totalSize);
        Assert.True(await Eventually.TrueAsync(async () => (await grains.GetGrain<ITaskGrain>(taskId).GetAsync()) is { Status: BrokerTaskStatus.Finished },
            TimeSpan.FromSeconds(60)), "the scenario's pool was not created");

        var made = new List<(Guid, string)>();
        for (var i = 0; i < users; i++)
        {
            var name = $"tc-{Guid.NewGuid():N}"[..16];
            made.Add(((await grains.ForName(name).CreateUserAsync(new NewUser(name, Password, false, [], "tests"))).Id, name));
        }

        await grains.GetGrain<IPoolGrain>(poolId).EntitleAsync([.. made.Select(u => u.Item1)], [], "tests");
        return new ThinClientScenario(sim, poolId, made);
    }

    /// <summary>A simulator as a controller and a pool of <paramref name="vms"/> being created (its POOL_CREATE task not awaited).</summary>
    public static async Task<(SimulatorHost Sim, Guid PoolId, Guid TaskId)> StartPoolCreationAsync(IGrainFactory grains, int vms,
        ConnectionType[]? protocols = null, int? totalSize = null, int simulatorLatencyMs = 0)
    {
        var sim = await SimulatorHost.StartAsync();
        var controller = await grains.GetGrain<IControllerGrain>(Guid.NewGuid())
            .AddAsync(new ControllerRegistration($"tc-{Guid.NewGuid():N}"[..12], sim.Address, sim.Token, "", "tests"));
        var resources = grains.GetGrain<IControllerGrain>(controller.Id);
        var poolId = Guid.NewGuid();
        if (simulatorLatencyMs > 0)
        {
            await sim.SetFaultsAsync(latencyMs: simulatorLatencyMs); // every controller call slower: the creation takes a while
        }

        await grains.GetGrain<IPoolGrain>(poolId).CreateAsync(PoolType.Automated, new PoolSettings
        {
            VerboseName = $"tcpool-{Guid.NewGuid():N}"[..14],
            ControllerId = controller.Id,
            ResourcePoolId = (await resources.ListResourcesAsync(ResourceKind.ResourcePools)).First().Id,
            DataPoolId = (await resources.ListResourcesAsync(ResourceKind.DataPools)).First().Id,
            TemplateId = await sim.DomainIdAsync("tpl-win10"),
            VmNameTemplate = $"desk{Guid.NewGuid():N}"[..10],
            InitialSize = vms,
            TotalSize = totalSize ?? vms,
            ReserveSize = 1,
            StartVms = false,
            ConnectionTypes = protocols ?? [ConnectionType.Spice, ConnectionType.Rdp],
        }, "tests");
        return (sim, poolId, await PoolKitTasks.PoolCreateTaskAsync(poolId));
    }

    public ValueTask DisposeAsync() => Sim.DisposeAsync();
}

public static class PoolKitTasks
{
    public static async Task<Guid> PoolCreateTaskAsync(Guid poolId)
    {
        Guid? id = null;
        Assert.True(await Eventually.TrueAsync(async () =>
            (id = await TestDb.ScalarAsync<Guid?>("select id from vdi_tasks where pool_id = @p and task_type = 'POOL_CREATE'", ("p", poolId))) is not null,
            TimeSpan.FromSeconds(10)));
        return id!.Value;
    }
}
