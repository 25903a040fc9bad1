using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

/// <summary>
/// One per cluster (key 0). A session grain checks its own 35 s deadline with a timer while its activation lives;
/// when a silo dies, its sessions' records stop being refreshed. Every few seconds this grain asks the sessions whose
/// records are older than the deadline plus the refresh lag to check themselves (an orphan activates elsewhere and
/// closes). One reminder for the cluster instead of one per session: opening a session costs no reminder row.
/// </summary>
[GrainType("tk-session-sweeper")]
public sealed class SessionSweeperGrain(SessionTable table, IOptions<ThinClientOptions> options, ReminderPeriods reminders, TimeProvider time)
    : Grain, ISessionSweeperGrain, IRemindable
{
    private const string Reminder = "tk-session-sweep";

    /// <summary>How much older than the deadline a record may be: sessions write it at most every 10 s.</summary>
    private static readonly TimeSpan RecordLag = TimeSpan.FromSeconds(15);

    private IGrainTimer? _timer;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _timer = this.RegisterGrainTimer(_ => SweepAsync(), new GrainTimerCreationOptions
        {
            DueTime = options.Value.DeadSessionCheckInterval,
            Period = options.Value.DeadSessionCheckInterval,
            KeepAlive = true,
        });
        return Task.CompletedTask;
    }

    public async Task EnsureRunningAsync()
    {
        if (await this.GetReminder(Reminder) is null)
        {
            var period = reminders.AtLeastMinimum(TimeSpan.FromMinutes(1));
            await this.RegisterOrUpdateReminder(Reminder, period, period);
        }
    }

    public async Task<int> SweepAsync()
    {
        var silent = await table.SilentIdsAsync(options.Value.DeadSessionTimeout + RecordLag, time.GetUtcNow());
        foreach (var batch in silent.Chunk(64))
        {
            await Task.WhenAll(batch.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).CheckDeadlineAsync()));
        }

        return silent.Count;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // activating is the point: the timer sweeps
}
