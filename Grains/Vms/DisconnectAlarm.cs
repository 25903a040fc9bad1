using Vdi.Grains.Hosting;
using Vdi.Grains.Vms.Policies;

namespace Vdi.Grains.Vms;

/// <summary>
/// Two alarms for one pending disconnect action: a timer in the grain's activation fires on time, and a durable
/// reminder fires when the activation (or its silo) is gone by then. Whichever comes first acts; the other finds
/// nothing pending (the grain compares the pending action's id). The reminder's period only matters if a firing fails.
/// </summary>
public sealed class DisconnectAlarm(Grain grain, ReminderPeriods periods, TimeProvider time, Func<Guid, Task> onDeadline)
{
    public const string ReminderName = "disconnect-action";

    private static readonly TimeSpan RetryPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _timer;

    public async Task ArmAsync(PendingDisconnect pending)
    {
        var remaining = DisconnectPolicy.Remaining(pending, time.GetUtcNow());
        // a reminder due "now" is first delivered a whole period later, so its due time is never below a second
        var due = remaining < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : remaining;
        await grain.RegisterOrUpdateReminder(ReminderName, due, periods.AtLeastMinimum(RetryPeriod));
        StartTimer(pending);
    }

    /// <summary>The timer alone, for an activation that finds an action pending (its reminder is registered already).</summary>
    public void StartTimer(PendingDisconnect pending)
    {
        _timer?.Dispose();
        var id = pending.Id;
        _timer = ((IGrainBase)grain).RegisterGrainTimer(_ => onDeadline(id), new GrainTimerCreationOptions
        {
            DueTime = DisconnectPolicy.Remaining(pending, time.GetUtcNow()),
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    public async Task DisarmAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (await grain.GetReminder(ReminderName) is { } reminder)
        {
            await grain.UnregisterReminder(reminder);
        }
    }
}
