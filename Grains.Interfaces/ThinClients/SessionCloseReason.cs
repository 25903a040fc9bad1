namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>
/// Why a thin-client session ended, stored in <c>vdi_tk_sessions.close_reason</c> as its wire name
/// (<c>CLIENT_CLOSED</c>...) and translated by the admin panel.
/// </summary>
[GenerateSerializer, Alias("SessionCloseReason")]
public enum SessionCloseReason
{
    /// <summary>The client closed its WebSocket (a close frame).</summary>
    ClientClosed = 0,

    /// <summary>The connection dropped without a close frame.</summary>
    ConnectionLost = 1,

    /// <summary>The client stopped answering pings.</summary>
    NoPongs = 2,

    /// <summary>The gateway closed the WebSocket (it was stopping, or the socket faulted).</summary>
    SocketClosed = 3,

    /// <summary>No data from the client for the dead-session timeout (its gateway is gone).</summary>
    DeadSession = 4,

    /// <summary>The user did nothing for the AFK timeout.</summary>
    Afk = 5,

    /// <summary>An administrator disconnected the session.</summary>
    Administrator = 6,

    /// <summary>The session's token stopped being valid while it was open (a newer login, a deactivated user): close 4001.</summary>
    TokenRevoked = 7,
}
