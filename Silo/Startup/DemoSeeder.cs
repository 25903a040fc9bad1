using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Pools;
using Vdi.Silo.Options;

namespace Vdi.Silo.Startup;

/// <summary>Creates the demo pool and user when they are missing (see <see cref="DemoOptions"/>); idempotent.</summary>
public sealed partial class DemoSeeder(
    IGrainFactory grains,
    ControllerTable controllers,
    PoolTable pools,
    IOptions<DemoOptions> demo,
    IOptions<DefaultControllerOptions> defaultController,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = demo.Value;
        if (!o.Enabled || string.IsNullOrEmpty(o.Password)
            || !ControllerAddress.TryParse(defaultController.Value.Address, out var address, out _))
        {
            return;
        }

        try
        {
            // the default controller is registered by its own seeder; wait for it a little
            Guid? controllerId = null;
            for (var i = 0; i < 60 && controllerId is null && !stoppingToken.IsCancellationRequested; i++)
            {
                controllerId = await controllers.FindByAddressAsync(address.ToString());
                if (controllerId is null)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }

            if (controllerId is not { } cid)
            {
                return;
            }

            // a controller left FAILED by an earlier run is checked now rather than at its next health check
            if ((await grains.GetGrain<IControllerGrain>(cid).TestAsync("system")).Status != ControllerStatus.Active)
            {
                LogFailed("the default controller does not answer");
                return;
            }

            var userId = await grains.ForName(o.Username).FindUserIdAsync() is { } existing && await grains.GetGrain<IUserGrain>(existing).GetAsync() is not null
                ? existing
                : (await grains.ForName(o.Username).CreateUserAsync(new NewUser(o.Username, o.Password, false, [], "system"))).Id;
            var poolId = await pools.FindByNameAsync(o.PoolName) ?? await CreatePoolAsync(cid, o);
            await grains.GetGrain<IPoolGrain>(poolId).EntitleAsync([userId], [], "system");
            LogReady(o.PoolName, o.Username);
        }
        catch (BrokerException e)
        {
            LogFailed(e.Message);
        }
    }

    private async Task<Guid> CreatePoolAsync(Guid controllerId, DemoOptions o)
    {
        var controller = grains.GetGrain<IControllerGrain>(controllerId);
        var templates = await controller.ListResourcesAsync(ResourceKind.Templates);
        var template = templates.FirstOrDefault(t => t.Details.GetValueOrDefault("os_type") == "Windows") ?? templates.First();
        var id = Guid.NewGuid();
        await grains.GetGrain<IPoolGrain>(id).CreateAsync(PoolType.Automated, new PoolSettings
        {
            VerboseName = o.PoolName,
            ControllerId = controllerId,
            ResourcePoolId = (await controller.ListResourcesAsync(ResourceKind.ResourcePools)).First().Id,
            DataPoolId = (await controller.ListResourcesAsync(ResourceKind.DataPools)).First().Id,
            TemplateId = template.Id,
            VmNameTemplate = "demo-vm",
            InitialSize = o.Vms,
            TotalSize = Math.Max(o.Vms, 10),
            ReserveSize = 1,
            IncreaseStep = 2,
            ConnectionTypes = [ConnectionType.Spice, ConnectionType.Rdp, ConnectionType.NativeRdp],
        }, "system");
        return id;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Demo ready: pool {Pool}, user {User}")]
    private partial void LogReady(string pool, string user);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Demo not seeded: {Reason}")]
    private partial void LogFailed(string reason);
}
