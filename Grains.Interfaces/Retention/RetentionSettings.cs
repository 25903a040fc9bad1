namespace Vdi.Grains.Interfaces.Retention;

/// <summary>
/// Retention periods: journal and sessions in months, finished tasks in days; 0 keeps for ever. <c>Archive</c>: old
/// rows are written to gzipped CSV files in the silo's <c>Retention:ArchiveDirectory</c> before they are removed.
/// </summary>
[GenerateSerializer, Immutable, Alias("RetentionSettings")]
public sealed record RetentionSettings(
    [property: Id(0)] int JournalMonths,
    [property: Id(1)] int SessionMonths,
    [property: Id(2)] int TaskDays,
    [property: Id(3)] bool Archive)
{
    /// <summary>The original's journal retention (36 months), a year and a month of sessions (a year's statistics), 90 days of tasks.</summary>
    public static readonly RetentionSettings Default = new(36, 13, 90, true);

    public const int MaxMonths = 600;
    public const int MaxTaskDays = 36_500;
}

[GenerateSerializer, Immutable, Alias("RetentionChanges")]
public sealed record RetentionChanges(
    [property: Id(0)] int? JournalMonths,
    [property: Id(1)] int? SessionMonths,
    [property: Id(2)] int? TaskDays,
    [property: Id(3)] bool? Archive);

/// <summary>One archive file written by a run: its name in the archive directory, what it holds, how many rows, its size.</summary>
[GenerateSerializer, Immutable, Alias("RetentionArchive")]
public sealed record RetentionArchive(
    [property: Id(0)] string Name,
    [property: Id(1)] string Table,
    [property: Id(2)] string Month,
    [property: Id(3)] long Rows,
    [property: Id(4)] long Bytes);

/// <summary>What a run did: when, by whom (<c>system</c> for the reminder), rows removed per table, archives written, and the error that stopped it if any.</summary>
[GenerateSerializer, Immutable, Alias("RetentionRun")]
public sealed record RetentionRun(
    [property: Id(0)] DateTimeOffset Started,
    [property: Id(1)] DateTimeOffset Finished,
    [property: Id(2)] string By,
    [property: Id(3)] long JournalRemoved,
    [property: Id(4)] int JournalMonthsDropped,
    [property: Id(5)] long SessionsRemoved,
    [property: Id(6)] long VmConnectionsRemoved,
    [property: Id(7)] long TasksRemoved,
    [property: Id(8)] IReadOnlyList<RetentionArchive> Archives,
    [property: Id(9)] string? Error,
    [property: Id(10)] int StatisticsDaysRolledUp = 0);

[GenerateSerializer, Immutable, Alias("RetentionView")]
public sealed record RetentionView(
    [property: Id(0)] RetentionSettings Settings,
    [property: Id(1)] bool Scheduled,
    [property: Id(2)] TimeSpan Period,
    [property: Id(3)] bool ArchiveConfigured,
    [property: Id(4)] RetentionRun? LastRun,
    [property: Id(5)] bool Running);
