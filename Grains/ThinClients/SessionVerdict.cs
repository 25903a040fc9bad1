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
