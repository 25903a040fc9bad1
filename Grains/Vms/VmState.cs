using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Vms;

[GenerateSerializer, Alias("VmState")]
public sealed class VmState
{
    [Id(0)] public Guid ControllerId { get; set; }
    [Id(1)] public Guid? PoolId { get; set; }
    [Id(2)] public string VerboseName { get; set; } = "";
    [Id(3)] public VmStatus Status { get; set; }
    [Id(4)] public PowerState PowerState { get; set; }
    [Id(5)] public bool CreatedByBroker { get; set; }
    [Id(6)] public DateTimeOffset Updated { get; set; }
    [Id(7)] public HashSet<Guid> Owners { get; set; } = [];
    /// <summary>The action waiting after a user left the VM (a reminder fires at its deadline).</summary>
    [Id(8)] public Policies.PendingDisconnect? PendingDisconnect { get; set; }
    /// <summary>The disconnect action powered the VM down while it stayed assigned: keep-on leaves it off until its user connects.</summary>
    [Id(9)] public bool HeldOff { get; set; }
    /// <summary>The administrator's connection overrides by protocol (NAT, DMZ).</summary>
    [Id(10)] public Dictionary<Interfaces.Pools.ConnectionType, ConnectionOverride> ConnectionOverrides { get; set; } = [];

    public VmView ToView(Guid id) => new(id, ControllerId, PoolId, VerboseName, Status, PowerState, CreatedByBroker, Updated, [.. Owners]);
}
