using Orleans.Concurrency;

namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>
/// One thin-client WebSocket connection (the original's active_tk_connection row): its record, its VM connections,
/// its dead-session deadline (35 s without data, even when the gateway that held it died), and the way to it.
/// </summary>
[Alias("IThinClientSessionGrain")]
public interface IThinClientSessionGrain : IGrainWithGuidKey
{
    [Alias("OpenAsync")]
    Task OpenAsync(SessionInfo info, IThinClientObserver client);

    /// <summary>Data arrived from the client (or its socket is known alive); <paramref name="interaction"/>: the user did something.</summary>
    [Alias("TouchAsync"), OneWay]
    Task TouchAsync(bool interaction);

    /// <summary>
    /// The gateway's keep-alive for an open socket (every 10 s): data is flowing, and this is the way to it. A session
    /// re-activated after its silo died gets its observer back from the first one. False: the session has ended (the
    /// gateway closes the socket, and the client connects again).
    /// </summary>
    [Alias("HeartbeatAsync")]
    Task<bool> HeartbeatAsync(IThinClientObserver client);

    /// <summary>Whether this session is open and its client reports being in the VM. Interleaves: a VM asks it while the session may be waiting on that VM.</summary>
    [Alias("IsInVmAsync"), AlwaysInterleave]
    Task<bool> IsInVmAsync(Guid vmId);

    [Alias("OnClientEventAsync")]
    Task OnClientEventAsync(ClientEvent clientEvent);

    /// <summary>
    /// Delivers a message to the client, wherever its socket is; returns once that gateway has queued it (awaited, so
    /// one sender's messages keep their order). A socket gone meanwhile is skipped, not an error.
    /// </summary>
    [Alias("SendAsync")]
    Task SendAsync(string json);

    /// <summary>Relays a controller's message about a VM, if this session is connected to that VM (§8.2 VM state relay).</summary>
    [Alias("RelayVmEventAsync"), OneWay]
    Task RelayVmEventAsync(Guid vmId, string json);

    /// <summary>The administrator's DISCONNECT: control frame then close 2000 (one-way: the session calls back into its user's list).</summary>
    [Alias("DisconnectAsync"), OneWay]
    Task DisconnectAsync();

    /// <summary>The socket closed (or was found dead); the session ends.</summary>
    [Alias("CloseAsync")]
    Task CloseAsync(SessionCloseReason reason);

    /// <summary>Closes the session if its client has been silent too long (asked by the cluster's sweeper).</summary>
    [Alias("CheckDeadlineAsync")]
    Task CheckDeadlineAsync();

    [Alias("IsOpenAsync")]
    Task<bool> IsOpenAsync();
}
