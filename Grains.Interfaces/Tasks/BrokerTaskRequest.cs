namespace Vdi.Grains.Interfaces.Tasks;

/// <summary>What a task is asked to do; the optional fields are the original's extra task arguments.</summary>
[GenerateSerializer, Immutable, Alias("BrokerTaskRequest")]
public sealed record BrokerTaskRequest
{
    [Id(0)] public BrokerTaskType Type { get; init; }
    /// <summary>The pool (or, for VM tasks, the VM) the task works on.</summary>
    [Id(1)] public Guid EntityId { get; init; }
    [Id(2)] public string Creator { get; init; } = "system";
    /// <summary>POOL_EXPAND from the admin's "expand": add VMs even when the reserve is full.</summary>
    [Id(3)] public bool IgnoreReserveSize { get; init; }
    /// <summary>VM_PREPARE: full preparation (automated pools) or remote access only (static pools).</summary>
    [Id(4)] public bool FullPreparation { get; init; } = true;
    [Id(5)] public int? NewTotalSize { get; init; }
    [Id(6)] public IReadOnlyList<Guid> VmIds { get; init; } = [];
    /// <summary>POOL_DELETE: also delete the VMs on the controller.</summary>
    [Id(7)] public bool DeleteVms { get; init; } = true;
    /// <summary>For VM tasks: the pool of the VM.</summary>
    [Id(8)] public Guid? PoolId { get; init; }
    /// <summary>AD_SYNCHRONIZE_GROUP: the directory group (its name or DN).</summary>
    [Id(9)] public string? DirectoryGroup { get; init; }
    /// <summary>AD_SYNCHRONIZE_GROUP: the broker group.</summary>
    [Id(10)] public Guid? GroupId { get; init; }
    /// <summary>POOL_DELETE, VMS_REMOVE: also remove the VMs' computer objects from Active Directory (the original's deleting_computers_from_ad_enabled).</summary>
    [Id(11)] public bool DeleteComputersFromAd { get; init; }
    /// <summary>POOL_TEMPLATE_CHANGE: the pool's new template.</summary>
    [Id(12)] public Guid? TemplateId { get; init; }

    /// <summary>Tasks of a directory, not of a pool.</summary>
    public bool IsDirectoryTask => Type is BrokerTaskType.AdSynchronizeGroup or BrokerTaskType.LdapSynchronizeUsers;

    public int Priority => Type switch
    {
        BrokerTaskType.PoolCreate => 2,
        BrokerTaskType.PoolDelete => 3,
        _ => 1,
    };
}
