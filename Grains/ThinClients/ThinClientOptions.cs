using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.ThinClients;

/// <summary>Thin-client behaviour (section <c>ThinClients</c>); the defaults are the original's.</summary>
public sealed class ThinClientOptions
{
    public const string Section = "ThinClients";

    /// <summary>A session without data for this long is dead (the original's WS_PING_TIMEOUT).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "ThinClients:DeadSessionTimeout must be 1 s to 1 hour")]
    public TimeSpan DeadSessionTimeout { get; set; } = TimeSpan.FromSeconds(35);

    /// <summary>
    /// When a session's socket goes away while its client was in a VM (lost, reaped, AFK, its gateway or silo died),
    /// how long the client may take to come back before the pool's action-after-disconnect timeout starts. Never less
    /// than <see cref="DeadSessionTimeout"/> (a smaller value counts as it): a client that reconnected must have been
    /// able to report its VM on the new socket before the old session is judged.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "ThinClients:DisconnectGrace must be 0 to 1 hour")]
    public TimeSpan DisconnectGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The grace window in force: <see cref="DisconnectGrace"/>, at least <see cref="DeadSessionTimeout"/>.</summary>
    public TimeSpan EffectiveDisconnectGrace => DisconnectGrace > DeadSessionTimeout ? DisconnectGrace : DeadSessionTimeout;

    /// <summary>
    /// Whether sessions whose user did nothing for <see cref="AfkTimeout"/> are disconnected (the original's
    /// DISCONNECT_INACTIVE_CONNECTIONS). This and <see cref="AfkTimeout"/> and <see cref="Limit"/> are only the
    /// defaults of the run-time settings (<c>SettingsGrain</c>) until an administrator changes them.
    /// </summary>
    public bool DisconnectInactiveConnections { get; set; }

    /// <summary>How long a user may do nothing before the session counts as away (the original's AFK_TIMEOUT).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "ThinClients:AfkTimeout must be 1 minute to 1 day")]
    public TimeSpan AfkTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How often a session checks its deadline.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "ThinClients:DeadSessionCheckInterval must be 100 ms to 10 minutes")]
    public TimeSpan DeadSessionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for a VM to power on.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:04:00", ErrorMessage = "ThinClients:PowerOnTimeout must be 1 s to 4 minutes (a get-VM waits at most 5)")]
    public TimeSpan PowerOnTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for the guest agent to report an address (RDP, LOUDPLAY).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:04:00", ErrorMessage = "ThinClients:AddressTimeout must be 0 to 4 minutes (a get-VM waits at most 5)")]
    public TimeSpan AddressTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the address is asked for while waiting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "ThinClients:AddressPollInterval must be 10 ms to 1 minute")]
    public TimeSpan AddressPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the guest's time zone waits for its agent after a get-VM (the original's 30 s; the user does not wait).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "ThinClients:GuestAgentTimeout must be 0 to 5 minutes")]
    public TimeSpan GuestAgentTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most thin clients connected at once (the license's limit); 0: no limit.</summary>
    [Range(0, 100_000, ErrorMessage = "ThinClients:Limit must be 0 (no limit) to 100,000")]
    public int Limit { get; set; }
}
