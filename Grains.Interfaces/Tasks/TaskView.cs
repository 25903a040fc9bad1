namespace Vdi.Grains.Interfaces.Tasks;

[GenerateSerializer, Immutable, Alias("TaskView")]
public sealed record TaskView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid EntityId,
    [property: Id(2)] BrokerTaskType Type,
    [property: Id(3)] BrokerTaskStatus Status,
    [property: Id(4)] int Progress,
    [property: Id(5)] string Message,
    [property: Id(6)] string Creator,
    [property: Id(7)] DateTimeOffset Created,
    [property: Id(8)] DateTimeOffset? Started,
    [property: Id(9)] DateTimeOffset? Finished,
    [property: Id(10)] bool Resumable,
    [property: Id(11)] int Priority)
{
    public bool IsFinished => Status is BrokerTaskStatus.Finished or BrokerTaskStatus.Failed or BrokerTaskStatus.Cancelled;
}
