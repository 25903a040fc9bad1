using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Tasks;

/// <summary>The pool worker's timings (section <c>Tasks</c>).</summary>
public sealed class TaskOptions
{
    public const string Section = "Tasks";

    /// <summary>The reminder that resumes a task on a live silo when its silo died; Orleans' minimum is one minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Tasks:ResumePeriod must be 1 s to 1 day")]
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a task waiting for a pool or template lock tries again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Tasks:LockRetryInterval must be 10 ms to 10 minutes")]
    public TimeSpan LockRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a controller task may run (the original's VEIL_VM_PREPARE_TIMEOUT).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Tasks:ControllerTaskTimeout must be 1 s to 1 day")]
    public TimeSpan ControllerTaskTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How many VMs are prepared at the same time.</summary>
    /// <summary>How many runs a task gets before it is FAILED: each silo death or failed write during a run costs one.</summary>
    [Range(1, 100, ErrorMessage = "Tasks:MaxAttempts must be 1 to 100")]
    public int MaxAttempts { get; set; } = 5;

    [Range(1, 100, ErrorMessage = "Tasks:PrepareParallelism must be 1 to 100")]
    public int PrepareParallelism { get; set; } = 10;
}
