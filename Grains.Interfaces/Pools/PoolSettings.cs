using System.Text.Json.Serialization;

namespace Vdi.Grains.Interfaces.Pools;

/// <summary>
/// Every setting of a pool (§3.3). Automated and guest pools use the clone fields; a static pool leaves them null.
/// On create, null means "the original's default"; on update, null means "unchanged".
/// </summary>
[GenerateSerializer, Immutable, Alias("PoolSettings")]
public sealed record PoolSettings
{
    [Id(0)] public string? VerboseName { get; init; }
    [Id(1)] public Guid? ControllerId { get; init; }
    [Id(2)] public Guid? ResourcePoolId { get; init; }
    [Id(3), JsonPropertyName("datapool_id")] public Guid? DataPoolId { get; init; }
    [Id(4)] public Guid? TemplateId { get; init; }
    [Id(5)] public string? VmNameTemplate { get; init; }
    [Id(6)] public int? InitialSize { get; init; }
    [Id(7)] public int? ReserveSize { get; init; }
    [Id(8)] public int? TotalSize { get; init; }
    [Id(9)] public int? IncreaseStep { get; init; }
    [Id(10)] public bool? CreateThinClones { get; init; }
    [Id(11)] public bool? EnableVmsRemoteAccess { get; init; }
    [Id(12)] public bool? StartVms { get; init; }
    [Id(13)] public bool? SetVmsHostnames { get; init; }
    [Id(14)] public bool? IncludeVmsInAd { get; init; }
    [Id(15)] public string? AdOu { get; init; }
    [Id(16)] public IReadOnlyList<ConnectionType>? ConnectionTypes { get; init; }
    [Id(17)] public bool? KeepVmsOn { get; init; }
    [Id(18)] public bool? FreeVmFromUser { get; init; }
    [Id(19)] public VmDisconnectAction? VmActionUponUserDisconnect { get; init; }
    [Id(20)] public int? VmDisconnectActionTimeout { get; init; }
    /// <summary>Static pools: the controller's VMs that form the pool.</summary>
    [Id(21), JsonPropertyName("vms")] public IReadOnlyList<Guid>? VmIds { get; init; }
}
