using System.Text.Json.Serialization;

namespace Vdi.Grains.Interfaces.Pools;

[GenerateSerializer, Immutable, Alias("PoolView")]
public sealed record PoolView
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string VerboseName { get; init; } = "";
    [Id(2)] public PoolType PoolType { get; init; }
    [Id(3)] public PoolStatus Status { get; init; }
    [Id(4)] public Guid ControllerId { get; init; }
    [Id(5)] public Guid? ResourcePoolId { get; init; }
    [Id(6), JsonPropertyName("datapool_id")] public Guid? DataPoolId { get; init; }
    [Id(7)] public Guid? TemplateId { get; init; }
    [Id(8)] public string? VmNameTemplate { get; init; }
    [Id(9)] public int InitialSize { get; init; }
    [Id(10)] public int ReserveSize { get; init; }
    [Id(11)] public int TotalSize { get; init; }
    [Id(12)] public int IncreaseStep { get; init; }
    [Id(13)] public bool CreateThinClones { get; init; }
    [Id(14)] public bool EnableVmsRemoteAccess { get; init; }
    [Id(15)] public bool StartVms { get; init; }
    [Id(16)] public bool SetVmsHostnames { get; init; }
    [Id(17)] public bool IncludeVmsInAd { get; init; }
    [Id(18)] public string AdOu { get; init; } = "";
    [Id(19)] public IReadOnlyList<ConnectionType> ConnectionTypes { get; init; } = [];
    [Id(20)] public bool KeepVmsOn { get; init; }
    [Id(21)] public bool FreeVmFromUser { get; init; }
    [Id(22)] public VmDisconnectAction VmActionUponUserDisconnect { get; init; }
    [Id(23)] public int VmDisconnectActionTimeout { get; init; }
    [Id(24)] public int VmCount { get; init; }
    [Id(25)] public string OsType { get; init; } = "";
    [Id(26)] public string Creator { get; init; } = "";
    [Id(27)] public DateTimeOffset Created { get; init; }
    [Id(28)] public DateTimeOffset Updated { get; init; }
    [Id(29)] public string? StatusReason { get; init; }
}
