using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Tasks;

[GenerateSerializer, Alias("TaskState")]
public sealed class TaskState
{
    [Id(0)] public BrokerTaskRequest Request { get; set; } = new();
    [Id(1)] public BrokerTaskStatus Status { get; set; }
    [Id(2)] public int Progress { get; set; }
    [Id(3)] public string Message { get; set; } = "";
    [Id(4)] public DateTimeOffset Created { get; set; }
    [Id(5)] public DateTimeOffset? Started { get; set; }
    [Id(6)] public DateTimeOffset? Finished { get; set; }
    [Id(7)] public bool Resumable { get; set; } = true;
    /// <summary>The runner's progress, as JSON, so a resumed run continues instead of starting over.</summary>
    [Id(8)] public string? Checkpoint { get; set; }
    [Id(9)] public List<string> HeldLocks { get; set; } = [];

    /// <summary>Runs started since the task was queued or resumed; a run cut short (its silo died, its state could not be written) counts too.</summary>
    [Id(10)] public int Attempts { get; set; }

    public Guid? PoolId => Request.Type is BrokerTaskType.VmPrepare or BrokerTaskType.VmGuestRecreation ? Request.PoolId
        : Request.IsDirectoryTask ? null : Request.EntityId;

    public bool IsFinished => Status is BrokerTaskStatus.Finished or BrokerTaskStatus.Failed or BrokerTaskStatus.Cancelled;

    public TaskView ToView(Guid id) =>
        new(id, Request.EntityId, Request.Type, Status, Progress, Message, Request.Creator, Created, Started, Finished, Resumable, Request.Priority);
}
