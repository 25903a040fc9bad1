using Vdi.Grains.Interfaces.Pools;

namespace Vdi.Grains.Pools;

/// <summary>The persisted pool: its settings, status and bookkeeping. Member VMs live in vdi_vms (pool_id).</summary>
[GenerateSerializer, Alias("PoolState")]
public sealed class PoolState
{
    [Id(0)] public string VerboseName { get; set; } = "";
    [Id(1)] public PoolType PoolType { get; set; }
    [Id(2)] public PoolStatus Status { get; set; }
    [Id(3)] public Guid ControllerId { get; set; }
    [Id(4)] public Guid? ResourcePoolId { get; set; }
    [Id(5)] public Guid? DataPoolId { get; set; }
    [Id(6)] public Guid? TemplateId { get; set; }
    [Id(7)] public string? VmNameTemplate { get; set; }
    [Id(8)] public int InitialSize { get; set; }
    [Id(9)] public int ReserveSize { get; set; }
    [Id(10)] public int TotalSize { get; set; }
    [Id(11)] public int IncreaseStep { get; set; }
    [Id(12)] public bool CreateThinClones { get; set; }
    [Id(13)] public bool EnableVmsRemoteAccess { get; set; }
    [Id(14)] public bool StartVms { get; set; }
    [Id(15)] public bool SetVmsHostnames { get; set; }
    [Id(16)] public bool IncludeVmsInAd { get; set; }
    [Id(17)] public string AdOu { get; set; } = "";
    [Id(18)] public List<ConnectionType> ConnectionTypes { get; set; } = [];
    [Id(19)] public bool KeepVmsOn { get; set; }
    [Id(20)] public bool FreeVmFromUser { get; set; }
    [Id(21)] public VmDisconnectAction VmActionUponUserDisconnect { get; set; }
    [Id(22)] public int VmDisconnectActionTimeout { get; set; }
    [Id(23)] public string OsType { get; set; } = "";
    [Id(24)] public string Creator { get; set; } = "";
    [Id(25)] public DateTimeOffset Created { get; set; }
    [Id(26)] public DateTimeOffset Updated { get; set; }
    [Id(27)] public string? StatusReason { get; set; }
    /// <summary>The task that holds the pool (one task at a time per pool).</summary>
    [Id(28)] public Guid? LockedBy { get; set; }
    /// <summary>The pending or running expansion, so concurrent triggers start exactly one.</summary>
    [Id(29)] public Guid? ExpansionTaskId { get; set; }
    [Id(30)] public HashSet<Guid> EntitledUsers { get; set; } = [];
    [Id(31)] public HashSet<Guid> EntitledGroups { get; set; } = [];
    /// <summary>The name counter for new VMs (names are never reused within a pool).</summary>
    [Id(32)] public int NextVmNumber { get; set; } = 1;
    /// <summary>The controller's tag named after the pool, on all its VMs (the original's pool tag); null until made.</summary>
    [Id(33)] public Guid? TagId { get; set; }

    public bool IsAutomated => PoolType is PoolType.Automated or PoolType.Guest;

    public PoolState Copy()
    {
        var copy = (PoolState)MemberwiseClone();
        copy.ConnectionTypes = [.. ConnectionTypes];
        copy.EntitledUsers = [.. EntitledUsers];
        copy.EntitledGroups = [.. EntitledGroups];
        return copy;
    }

    /// <summary>The settings a copy of this pool starts from (everything but identity, status and bookkeeping).</summary>
    public PoolSettings ToSettings() => new()
    {
        VerboseName = VerboseName,
        ControllerId = ControllerId,
        ResourcePoolId = ResourcePoolId,
        DataPoolId = DataPoolId,
        TemplateId = TemplateId,
        VmNameTemplate = VmNameTemplate,
        InitialSize = InitialSize,
        ReserveSize = ReserveSize,
        TotalSize = TotalSize,
        IncreaseStep = IncreaseStep,
        CreateThinClones = CreateThinClones,
        EnableVmsRemoteAccess = EnableVmsRemoteAccess,
        StartVms = StartVms,
        SetVmsHostnames = SetVmsHostnames,
        IncludeVmsInAd = IncludeVmsInAd,
        AdOu = AdOu,
        ConnectionTypes = [.. ConnectionTypes],
        KeepVmsOn = KeepVmsOn,
        FreeVmFromUser = FreeVmFromUser,
        VmActionUponUserDisconnect = VmActionUponUserDisconnect,
        VmDisconnectActionTimeout = VmDisconnectActionTimeout,
    };

    /// <summary>What the pool's VMs apply after a disconnect and for keep-on.</summary>
    public VmPolicySettings ToVmPolicy() => new(PoolType, KeepVmsOn, FreeVmFromUser, VmActionUponUserDisconnect, VmDisconnectActionTimeout);

    public PoolView ToView(Guid id, int vmCount) => new()
    {
        Id = id,
        VerboseName = VerboseName,
        PoolType = PoolType,
        Status = Status,
        ControllerId = ControllerId,
        ResourcePoolId = ResourcePoolId,
        DataPoolId = DataPoolId,
        TemplateId = TemplateId,
        VmNameTemplate = VmNameTemplate,
        InitialSize = InitialSize,
        ReserveSize = ReserveSize,
        TotalSize = TotalSize,
        IncreaseStep = IncreaseStep,
        CreateThinClones = CreateThinClones,
        EnableVmsRemoteAccess = EnableVmsRemoteAccess,
        StartVms = StartVms,
        SetVmsHostnames = SetVmsHostnames,
        IncludeVmsInAd = IncludeVmsInAd,
        AdOu = AdOu,
        ConnectionTypes = [.. ConnectionTypes],
        KeepVmsOn = KeepVmsOn,
        FreeVmFromUser = FreeVmFromUser,
        VmActionUponUserDisconnect = VmActionUponUserDisconnect,
        VmDisconnectActionTimeout = VmDisconnectActionTimeout,
        VmCount = vmCount,
        OsType = OsType,
        Creator = Creator,
        Created = Created,
        Updated = Updated,
        StatusReason = StatusReason,
    };
}
