using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Tasks;

/// <summary>The steps of one task type. Runs may be resumed after a crash: each step must be safe to repeat.</summary>
public interface ITaskRunner
{
    BrokerTaskType Type { get; }

    /// <summary>Does the work; returns the task's final message.</summary>
    Task<string> RunAsync(TaskContext context);

    /// <summary>Puts things straight after a cancel or a failure (e.g. the pool's status).</summary>
    Task OnStoppedAsync(TaskContext context, BrokerTaskStatus status, string message);
}
