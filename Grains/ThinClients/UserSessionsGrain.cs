using Orleans.Concurrency;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

/// <summary>
/// The user's open thin-client sessions, kept in memory: the sessions table is the record, read again whenever the
/// grain activates, so opening and closing a session costs no write here. Reentrant: a message waits for its sessions
/// to deliver it, and a session that is closing meanwhile calls back here to leave the list (each call reads or changes
/// the set without awaiting in between).
/// </summary>
[GrainType("user-sessions"), Reentrant]
public sealed class UserSessionsGrain(SessionTable table) : Grain, IUserSessionsGrain
{
    private readonly HashSet<Guid> _sessions = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await table.ActiveIdsOfUserAsync(this.GetPrimaryKey()))
        {
            _sessions.Add(id);
        }
    }

    public Task AddAsync(Guid sessionId)
    {
        _sessions.Add(sessionId);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(Guid sessionId)
    {
        _sessions.Remove(sessionId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Guid>> ListAsync() => Task.FromResult<IReadOnlyList<Guid>>([.. _sessions]);

    public Task SendAsync(string json) =>
        Task.WhenAll(_sessions.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).SendAsync(json)));

    public Task RelayVmEventAsync(Guid vmId, string json) =>
        Task.WhenAll(_sessions.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).RelayVmEventAsync(vmId, json)));

    public async Task<Guid?> SessionInVmAsync(Guid vmId)
    {
        var ids = _sessions.ToList();
        var answers = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).IsInVmAsync(vmId)));
        var i = Array.IndexOf(answers, true);
        return i < 0 ? null : ids[i];
    }

    public async Task DisconnectAllAsync()
    {
        foreach (var id in _sessions.ToList())
        {
            await GrainFactory.GetGrain<IThinClientSessionGrain>(id).DisconnectAsync();
        }
    }
}
