using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

[GenerateSerializer, Alias("SessionState")]
public sealed class SessionState
{
    [Id(0)] public SessionInfo? Info { get; set; }
    [Id(1)] public DateTimeOffset Connected { get; set; }
    [Id(2)] public DateTimeOffset DataReceived { get; set; }
    [Id(3)] public DateTimeOffset? Disconnected { get; set; }
    /// <summary>The VM the client is connected to now, or was last (drives the action after disconnect).</summary>
    [Id(4)] public Guid? LastVmId { get; set; }
    [Id(5)] public bool VmConnected { get; set; }
    /// <summary>When the user last did something (user_gui, a VM connection); null: nothing since connecting.</summary>
    [Id(6)] public DateTimeOffset? LastInteraction { get; set; }
}
