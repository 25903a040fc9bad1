using Orleans.Concurrency;

namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>The open thin-client sessions of one user (key: user id), to reach the user wherever they are connected.</summary>
[Alias("IUserSessionsGrain")]
public interface IUserSessionsGrain : IGrainWithGuidKey
{
    [Alias("AddAsync")]
    Task AddAsync(Guid sessionId);

    [Alias("RemoveAsync")]
    Task RemoveAsync(Guid sessionId);

    [Alias("ListAsync"), ReadOnly]
    Task<IReadOnlyList<Guid>> ListAsync();

    /// <summary>
    /// Sends a message to every open session of the user; returns once each gateway holding one has queued it, so a
    /// caller's successive messages reach a socket in the order sent (preparation progress 10, 30, 50).
    /// </summary>
    [Alias("SendAsync")]
    Task SendAsync(string json);

    /// <summary>Relays a VM's state to the user's sessions that are connected to it.</summary>
    [Alias("RelayVmEventAsync"), OneWay]
    Task RelayVmEventAsync(Guid vmId, string json);

    /// <summary>An open session of the user whose client reports being in the VM (its evidence: vm_connected, network_stats); null when none.</summary>
    [Alias("SessionInVmAsync"), ReadOnly]
    Task<Guid?> SessionInVmAsync(Guid vmId);

    [Alias("DisconnectAllAsync")]
    Task DisconnectAllAsync();
}
