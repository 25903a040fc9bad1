namespace Vdi.Grains.ThinClients;

/// <summary>The monitor's two rules for an open thin-client session (§7: dead connections, AFK disconnect).</summary>
public static class SessionDeadline
{
    /// <param name="deadAfter">No data for longer than this: the session is dead (the original's 35 s).</param>
    /// <param name="awayAfter">No user activity for longer than this: the user is away; null when AFK disconnects are off.</param>
    public static SessionVerdict Check(SessionState session, DateTimeOffset now, TimeSpan deadAfter, TimeSpan? awayAfter)
    {
        if (session.Disconnected is not null)
        {
            return SessionVerdict.Alive;
        }

        if (now - session.DataReceived > deadAfter)
        {
            return SessionVerdict.Dead;
        }

        return awayAfter is { } afk && now - (session.LastInteraction ?? session.Connected) > afk
            ? SessionVerdict.Away
            : SessionVerdict.Alive;
    }
}
