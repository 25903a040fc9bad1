namespace Vdi.Grains.Tasks;

/// <summary>The pool worker's timings (section <c>Tasks</c>).</summary>
public sealed class TaskOptions
{
    public const string Section = "Tasks";

    /// <summary>The reminder that resumes a task on a live silo when its silo died; Orleans' minimum is one minute.</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a task waiting for a pool or template lock tries again.</summary>
    public TimeSpan LockRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a controller task may run (the original's VEIL_VM_PREPARE_TIMEOUT).</summary>
    public TimeSpan ControllerTaskTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How many VMs are prepared at the same time.</summary>
    public int PrepareParallelism { get; set; } = 10;
}
