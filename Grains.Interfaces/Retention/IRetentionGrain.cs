using Orleans.Concurrency;

namespace Vdi.Grains.Interfaces.Retention;

/// <summary>
/// How long the broker keeps its history (one grain, key 0): the journal by month (the original keeps 36 months), the
/// thin-client sessions with their VM connections, and finished tasks; what is older is exported to CSV archives first
/// when archiving is on, then removed, by a reminder every <c>Retention:Period</c> or at an administrator's request.
/// </summary>
[Alias("IRetentionGrain")]
public interface IRetentionGrain : IGrainWithIntegerKey
{
    [Alias("GetAsync"), AlwaysInterleave]
    Task<RetentionView> GetAsync();

    /// <summary>Changes the periods (null keeps one); checked and journalled.</summary>
    [Alias("UpdateAsync")]
    Task<RetentionView> UpdateAsync(RetentionChanges changes, string by);

    /// <summary>Applies the retention now and returns what it did (an archive of a large month takes a while).</summary>
    [Alias("RunAsync"), ResponseTimeout("00:15:00")]
    Task<RetentionRun> RunAsync(string by);

    /// <summary>Makes sure the reminder that applies the retention is registered (each silo asks once at start).</summary>
    [Alias("EnsureScheduledAsync")]
    Task EnsureScheduledAsync();
}
