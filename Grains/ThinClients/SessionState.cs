using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

/// <summary>A thin-client session as its grain holds it; <see cref="SessionTable.LoadAsync"/> rebuilds it from its rows.</summary>
public sealed class SessionState
{
    public SessionInfo? Info { get; set; }
    public DateTimeOffset Connected { get; set; }
    public DateTimeOffset DataReceived { get; set; }
    public DateTimeOffset? Disconnected { get; set; }
    /// <summary>The VM the client is connected to now, or was last (drives the action after disconnect).</summary>
    public Guid? LastVmId { get; set; }
    public bool VmConnected { get; set; }
    /// <summary>When the user last did something (user_gui, a VM connection); null: nothing since connecting.</summary>
    public DateTimeOffset? LastInteraction { get; set; }
}
