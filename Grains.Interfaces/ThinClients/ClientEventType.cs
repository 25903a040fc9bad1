namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>What a thin client reports on its WebSocket (<c>msg_type: UPDATED</c>, <c>event: ...</c>); the wire names are the members' in lower snake case.</summary>
[GenerateSerializer, Alias("ClientEventType")]
public enum ClientEventType
{
    /// <summary>An event name the broker does not know: refused with a control error.</summary>
    Unknown = 0,
    VmConnected = 1,
    VmDisconnected = 2,
    VmConnectionError = 3,
    UserGui = 4,
    NetworkStats = 5,
}
