using Vdi.Grains.Interfaces.Retention;

namespace Vdi.Silo.Startup;

/// <summary>
/// Makes sure the retention reminder is registered (or removed when <c>Retention:Scheduled</c> is false) once the
/// silo has started; retried every minute while the database or the cluster does not answer.
/// </summary>
public sealed partial class RetentionStart(IGrainFactory grains, TimeProvider time, ILogger<RetentionStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<IRetentionGrain>(0).EnsureScheduledAsync().WaitAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }

            await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Scheduling the retention failed; retrying in a minute")]
    private partial void LogFailed(Exception e);
}
