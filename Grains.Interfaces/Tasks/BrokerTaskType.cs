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

    /// <summary>The original's AD_SYNCHRONIZE_GROUP: a directory group's members become a broker group's (entity: the directory).</summary>
    AdSynchronizeGroup = 8,

    /// <summary>Every user of a directory becomes a broker user (the original's OpenLDAP user sync; entity: the directory).</summary>
    LdapSynchronizeUsers = 9,

    /// <summary>The original's POOL_TEMPLATE_CHANGE: the pool's template changes and its VMs not in use are recreated from it.</summary>
    PoolTemplateChange = 10,
}
