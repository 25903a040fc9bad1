using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

[GrainType("user-sessions")]
public sealed class UserSessionsGrain(
    [PersistentState("user-sessions", StorageNames.Main)] IPersistentState<UserSessionsState> state) : Grain, IUserSessionsGrain
{
    public async Task AddAsync(Guid sessionId)
    {
        if (state.State.Sessions.Add(sessionId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(Guid sessionId)
    {
        if (state.State.Sessions.Remove(sessionId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<Guid>> ListAsync() => Task.FromResult<IReadOnlyList<Guid>>([.. state.State.Sessions]);

    public Task SendAsync(string json) =>
        Task.WhenAll(state.State.Sessions.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).SendAsync(json)));

    public Task RelayVmEventAsync(Guid vmId, string json) =>
        Task.WhenAll(state.State.Sessions.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).RelayVmEventAsync(vmId, json)));

    public async Task DisconnectAllAsync()
    {
        foreach (var id in state.State.Sessions.ToList())
        {
            await GrainFactory.GetGrain<IThinClientSessionGrain>(id).DisconnectAsync();
        }
    }
}
