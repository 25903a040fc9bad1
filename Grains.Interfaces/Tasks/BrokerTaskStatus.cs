namespace Vdi.Grains.Interfaces.Tasks;

/// <summary>INITIAL → IN_PROGRESS → FINISHED | FAILED | CANCELLED.</summary>
[GenerateSerializer, Alias("BrokerTaskStatus")]
public enum BrokerTaskStatus
{
    Initial = 0,
    InProgress = 1,
    Failed = 2,
    Cancelled = 3,
    Finished = 4,
}
