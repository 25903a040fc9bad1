using Orleans.Concurrency;

namespace Vdi.Grains.Interfaces.Tasks;

/// <summary>
/// One pool-worker task: its record and its runner. It survives the silo that runs it: a reminder brings it back
/// on a live silo, where it resumes from its last checkpoint.
/// </summary>
[Alias("ITaskGrain")]
public interface ITaskGrain : IGrainWithGuidKey
{
    /// <summary>Records the task and starts it; a second call with the same id returns the task as it is.</summary>
    [Alias("StartAsync")]
    Task<TaskView> StartAsync(BrokerTaskRequest request);

    [Alias("GetAsync"), AlwaysInterleave]
    Task<TaskView?> GetAsync();

    /// <summary>Cancels the task; a resumable cancel (controller failure) can be resumed later.</summary>
    [Alias("CancelAsync"), AlwaysInterleave]
    Task<TaskView?> CancelAsync(string user, bool resumable = false);

    /// <summary>The silo the task is running on (for operators and tests).</summary>
    [Alias("GetHostAsync"), AlwaysInterleave]
    Task<string> GetHostAsync();

    /// <summary>Resumes a task cancelled as resumable.</summary>
    [Alias("ResumeAsync")]
    Task<TaskView?> ResumeAsync();

    /// <summary>
    /// Retention: a task that ended (finished, failed, cancelled and not resumable) before <paramref name="endedBefore"/>
    /// forgets its record (state and row); true when it did. A task still running or resumable is kept.
    /// </summary>
    [Alias("ForgetAsync")]
    Task<bool> ForgetAsync(DateTimeOffset endedBefore);
}
