using Vdi.Grains.Controllers;
using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Silo.Startup;

/// <summary>
/// Wakes every controller grain when a silo starts, so listeners and health checks resume at once instead of at
/// the next keep-alive reminder. Waking an already active grain is a no-op; a controller that fails to wake is
/// retried by its reminder.
/// </summary>
public sealed partial class ControllerWakeup(IGrainFactory grains, ControllerTable controllers, ILogger<ControllerWakeup> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<Guid> ids;
        try
        {
            ids = await controllers.ListIdsAsync();
        }
        catch (Npgsql.NpgsqlException e)
        {
            LogFailed(e);
            return;
        }

        foreach (var id in ids)
        {
            try
            {
                await grains.GetGrain<IControllerInternalGrain>(id).EnsureRunningAsync().WaitAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Waking controllers failed; their reminders will retry")]
    private partial void LogFailed(Exception e);
}
