namespace Vdi.Grains.ThinClients;

/// <summary>Thin-client behaviour (section <c>ThinClients</c>); the defaults are the original's.</summary>
public sealed class ThinClientOptions
{
    public const string Section = "ThinClients";

    /// <summary>A session without data for this long is dead (the original's WS_PING_TIMEOUT).</summary>
    public TimeSpan DeadSessionTimeout { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>
    /// Whether sessions whose user did nothing for <see cref="AfkTimeout"/> are disconnected (the original's
    /// DISCONNECT_INACTIVE_CONNECTIONS). This and <see cref="AfkTimeout"/> and <see cref="Limit"/> are only the
    /// defaults of the run-time settings (<c>SettingsGrain</c>) until an administrator changes them.
    /// </summary>
    public bool DisconnectInactiveConnections { get; set; }

    /// <summary>How long a user may do nothing before the session counts as away (the original's AFK_TIMEOUT).</summary>
    public TimeSpan AfkTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How often a session checks its deadline.</summary>
    public TimeSpan DeadSessionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a VM to power on.</summary>
    public TimeSpan PowerOnTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for the guest agent to report an address (RDP, LOUDPLAY).</summary>
    public TimeSpan AddressTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the address is asked for while waiting.</summary>
    public TimeSpan AddressPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most thin clients connected at once (the license's limit); 0: no limit.</summary>
    public int Limit { get; set; }
}
