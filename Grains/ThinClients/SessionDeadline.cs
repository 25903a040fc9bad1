namespace Vdi.Grains.ThinClients;

public enum SessionVerdict
{
    /// <summary>The session goes on.</summary>
    Alive,

    /// <summary>No data from the client for longer than the dead-session timeout: close it.</summary>
    Dead,

    /// <summary>The user did nothing for longer than the AFK timeout and AFK disconnects are on: disconnect it.</summary>
    Away,
}

/// <summary>The monitor's two rules for an open thin-client session (§7: dead connections, AFK disconnect).</summary>
public static class SessionDeadline
{
    public static SessionVerdict Check(SessionState session, DateTimeOffset now, ThinClientOptions options)
    {
        if (session.Disconnected is not null)
        {
            return SessionVerdict.Alive;
        }

        if (now - session.DataReceived > options.DeadSessionTimeout)
        {
            return SessionVerdict.Dead;
        }

        return options.DisconnectInactiveConnections && now - (session.LastInteraction ?? session.Connected) > options.AfkTimeout
            ? SessionVerdict.Away
            : SessionVerdict.Alive;
    }
}
