using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Silo.Options;

namespace Vdi.Silo.Startup;

/// <summary>Registers the configured default controller once (see <see cref="DefaultControllerOptions"/>).</summary>
public sealed partial class DefaultControllerSeeder(
    IGrainFactory grains,
    ControllerTable controllers,
    IOptions<DefaultControllerOptions> options,
    ILogger<DefaultControllerSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.Address) || !ControllerAddress.TryParse(o.Address, out var address, out _))
        {
            return;
        }

        try
        {
            if (await controllers.FindByAddressAsync(address.ToString()) is not null)
            {
                return;
            }

            var view = await grains.GetGrain<IControllerGrain>(Guid.NewGuid())
                .AddAsync(new ControllerRegistration(o.Name, o.Address, o.Token, "Registered at start-up (DefaultController settings).", "system"));
            LogAdded(view.VerboseName, view.Address);
        }
        catch (BrokerException e)
        {
            LogFailed(o.Name, e.Message);
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Default controller {Name} registered at {Address}")]
    private partial void LogAdded(string name, string address);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Default controller {Name} not registered: {Reason}")]
    private partial void LogFailed(string name, string reason);
}
