using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Retention;
using Vdi.Grains.Journal;

namespace Vdi.Grains.Retention;

/// <summary>
/// The retention settings and their application: a reminder every <c>Retention:Period</c> (and an administrator's
/// "run now") runs <see cref="RetentionJob"/> off the grain's turn, one run at a time; each run that removed or
/// archived something, or failed, is journalled, and the last one is kept for the panel.
/// </summary>
[GrainType("retention")]
public sealed class RetentionGrain(
    [PersistentState("retention", StorageNames.Main)] IPersistentState<RetentionState> state,
    RetentionJob job,
    JournalWriter journal,
    ReminderPeriods reminders,
    IOptions<RetentionOptions> options,
    TimeProvider time) : Grain, IRetentionGrain, IRemindable
{
    private const string Reminder = "retention";

    private Task<RetentionRun>? _running;

    private RetentionSettings Current => state.State.Settings ?? RetentionSettings.Default with { Archive = job.ArchiveConfigured };

    private TimeSpan Period => reminders.AtLeastMinimum(options.Value.Period);

    public Task<RetentionView> GetAsync() => Task.FromResult(View());

    private RetentionView View() => new(Current, options.Value.Scheduled, Period, job.ArchiveConfigured, state.State.LastRun, _running is { IsCompleted: false });

    public async Task<RetentionView> UpdateAsync(RetentionChanges changes, string by)
    {
        var s = Current;
        var next = new RetentionSettings(changes.JournalMonths ?? s.JournalMonths, changes.SessionMonths ?? s.SessionMonths,
            changes.TaskDays ?? s.TaskDays, changes.Archive ?? s.Archive);
        if (next.JournalMonths is < 0 or > RetentionSettings.MaxMonths)
        {
            throw BrokerException.Invalid("journal_months", $"journal_months: 0 (keep for ever) to {RetentionSettings.MaxMonths}");
        }

        if (next.JournalMonths is 1)
        {
            throw BrokerException.Invalid("journal_months", "journal_months: at least 2 (this month and the last are never removed), or 0 to keep for ever");
        }

        if (next.SessionMonths is < 0 or > RetentionSettings.MaxMonths)
        {
            throw BrokerException.Invalid("session_months", $"session_months: 0 (keep for ever) to {RetentionSettings.MaxMonths}");
        }

        if (next.TaskDays is < 0 or > RetentionSettings.MaxTaskDays)
        {
            throw BrokerException.Invalid("task_days", $"task_days: 0 (keep for ever) to {RetentionSettings.MaxTaskDays}");
        }

        if (next.Archive && !job.ArchiveConfigured)
        {
            throw BrokerException.Invalid("archive", "archive: the silo has no archive folder (Retention:ArchiveDirectory)");
        }

        var audit = new ChangeLog()
            .Note("journal_months", s.JournalMonths, next.JournalMonths)
            .Note("session_months", s.SessionMonths, next.SessionMonths)
            .Note("task_days", s.TaskDays, next.TaskDays)
            .Note("archive", s.Archive, next.Archive);
        if (audit.IsEmpty)
        {
            return View();
        }

        state.State.Settings = next;
        await state.WriteOrForgetAsync(this);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, "Retention settings changed.", audit.ToString(), EntityType.System, null, by));
        return View();
    }

    public Task<RetentionRun> RunAsync(string by) => StartRun(by);

    public async Task EnsureScheduledAsync()
    {
        var existing = await this.GetReminder(Reminder);
        if (!options.Value.Scheduled)
        {
            if (existing is not null)
            {
                await this.UnregisterReminder(existing);
            }

            return;
        }

        await this.RegisterOrUpdateReminder(Reminder, Period, Period); // each silo's start: a changed Retention:Period takes effect
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != Reminder || _running is { IsCompleted: false })
        {
            return;
        }

        await StartRun("system"); // the turn lasts the run: the state it records never interleaves with an update
    }

    /// <summary>The run in progress, or a new one on the thread pool (the grain keeps answering meanwhile).</summary>
    private Task<RetentionRun> StartRun(string by)
    {
        if (_running is { IsCompleted: false } running)
        {
            return running;
        }

        var settings = Current;
        var now = time.GetUtcNow();
        var work = Task.Run(() => job.RunAsync(settings, now, by, CancellationToken.None));
        _running = RecordAsync(work);
        return _running;
    }

    private async Task<RetentionRun> RecordAsync(Task<RetentionRun> work)
    {
        DelayDeactivation(TimeSpan.FromMinutes(30));
        var run = await work; // back on the grain's scheduler
        state.State.LastRun = run;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // the last run is only shown; what the run did is journalled below and in the database itself
        }

        var removed = run.JournalRemoved + run.SessionsRemoved + run.VmConnectionsRemoved + run.TasksRemoved;
        if (run.Error is { } error)
        {
            await TryJournal(new JournalEntry(JournalLevel.Error, "Retention run failed.", error, EntityType.System, null, run.By));
        }
        else if (removed > 0 || run.Archives.Count > 0)
        {
            var description = $"journal events: {run.JournalRemoved} ({run.JournalMonthsDropped} months dropped), sessions: {run.SessionsRemoved}, " +
                $"VM connections: {run.VmConnectionsRemoved}, tasks: {run.TasksRemoved}" +
                (run.Archives.Count > 0 ? $"; archives: {string.Join(", ", run.Archives.Select(a => $"{a.Name} ({a.Rows} rows)"))}" : "");
            await TryJournal(new JournalEntry(JournalLevel.Info, "Retention applied.", description, EntityType.System, null, run.By));
        }

        return run;
    }

    private async Task TryJournal(JournalEntry entry)
    {
        try
        {
            await journal.WriteAsync(entry);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or ObjectDisposedException)
        {
            // the database is away: the next run journals what it does
        }
    }
}
