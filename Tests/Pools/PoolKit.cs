using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Pools;

/// <summary>A simulated controller registered with the cluster, and helpers to make pools on it.</summary>
public sealed class PoolKit : IAsyncDisposable
{
    private PoolKit(IGrainFactory client, SimulatorHost sim, Guid controllerId, Guid resourcePool, Guid dataPool, Guid template)
    {
        Client = client;
        Sim = sim;
        ControllerId = controllerId;
        ResourcePool = resourcePool;
        DataPool = dataPool;
        Template = template;
    }

    public IGrainFactory Client { get; }
    public SimulatorHost Sim { get; }
    public Guid ControllerId { get; }
    public Guid ResourcePool { get; }
    public Guid DataPool { get; }
    public Guid Template { get; }

    public static async Task<PoolKit> StartAsync(IGrainFactory client)
    {
        var sim = await SimulatorHost.StartAsync();
        var controller = await client.GetGrain<IControllerGrain>(Guid.NewGuid())
            .AddAsync(new ControllerRegistration($"pk-{Guid.NewGuid():N}"[..12], sim.Address, sim.Token, "", "tester"));
        var rp = (await client.GetGrain<IControllerGrain>(controller.Id).ListResourcesAsync(ResourceKind.ResourcePools)).Single(r => r.VerboseName == "rp-main").Id;
        var dp = (await client.GetGrain<IControllerGrain>(controller.Id).ListResourcesAsync(ResourceKind.DataPools)).First().Id;
        return new PoolKit(client, sim, controller.Id, rp, dp, await sim.DomainIdAsync("tpl-astra"));
    }

    public static string NewName() => $"pool-{Guid.NewGuid():N}"[..15];

    public PoolSettings Automated(int initial, int total, int reserve = 1, int step = 1) => new()
    {
        VerboseName = NewName(),
        ControllerId = ControllerId,
        ResourcePoolId = ResourcePool,
        DataPoolId = DataPool,
        TemplateId = Template,
        VmNameTemplate = $"vm{Guid.NewGuid():N}"[..10],
        InitialSize = initial,
        TotalSize = total,
        ReserveSize = reserve,
        IncreaseStep = step,
    };

    public async Task<TaskView> WaitForTaskAsync(Guid taskId, TimeSpan? timeout = null)
    {
        TaskView? task = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            task = await Client.GetGrain<ITaskGrain>(taskId).GetAsync();
            return task is { IsFinished: true };
        }, timeout ?? TimeSpan.FromSeconds(60)), $"task {taskId} did not finish: {task}");
        return task!;
    }

    /// <summary>The last task of a pool, as the admin's task list shows it.</summary>
    public static async Task<Guid> LastTaskAsync(Guid poolId, string type)
    {
        Guid? id = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            id = await TestDb.ScalarAsync<Guid?>("select id from vdi_tasks where pool_id = @p and task_type = @t order by created desc limit 1", ("p", poolId), ("t", type));
            return id is not null;
        }, TimeSpan.FromSeconds(10)));
        return id!.Value;
    }

    /// <summary>The domains on the simulator whose names start with the prefix.</summary>
    public async Task<List<JsonElement>> DomainsNamedAsync(string prefix)
    {
        var page = await Sim.Http.GetFromJsonAsync<JsonElement>("/api/domains/?template=0&limit=10000");
        return [.. page.GetProperty("results").EnumerateArray().Where(d => d.GetProperty("verbose_name").GetString()!.StartsWith(prefix + "-", StringComparison.Ordinal))];
    }

    /// <summary>The id of the simulator's tag with this name, or null.</summary>
    public async Task<Guid?> TagNamedAsync(string name)
    {
        var page = await Sim.Http.GetFromJsonAsync<JsonElement>("/api/tags/?limit=1000");
        return page.GetProperty("results").EnumerateArray().Where(t => t.GetProperty("verbose_name").GetString() == name)
            .Select(t => (Guid?)t.GetProperty("id").GetGuid()).FirstOrDefault();
    }

    public async Task<Guid> NewUserAsync()
    {
        var name = $"u-{Guid.NewGuid():N}";
        return (await Client.ForName(name).CreateUserAsync(new NewUser(name, "user-password", false, [], "tests"))).Id;
    }

    public ValueTask DisposeAsync() => Sim.DisposeAsync();
}
