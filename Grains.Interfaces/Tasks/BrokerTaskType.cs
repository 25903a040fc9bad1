namespace Vdi.Grains.Interfaces.Tasks;

/// <summary>The pool worker's task types (§4).</summary>
[GenerateSerializer, Alias("BrokerTaskType")]
public enum BrokerTaskType
{
    PoolCreate = 0,
    PoolExpand = 1,
    PoolDecrease = 2,
    PoolDelete = 3,
    VmPrepare = 4,
    PoolPrepare = 5,
    VmsRemove = 6,
    VmGuestRecreation = 7,
}
