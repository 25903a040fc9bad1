using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Tasks;

[GrainType("entity-lock")]
public sealed class EntityLockGrain(
    [PersistentState("lock", StorageNames.Main)] IPersistentState<EntityLockState> state,
    IGrainFactory grains) : Grain, IEntityLockGrain
{
    public async Task<bool> TryAcquireAsync(Guid owner)
    {
        if (state.State.Owner == owner)
        {
            return true;
        }

        // a holder that has finished (or vanished) no longer holds the lock
        if (state.State.Owner is { } holder && await grains.GetGrain<ITaskGrain>(holder).GetAsync() is { IsFinished: false })
        {
            return false;
        }

        state.State.Owner = owner;
        await state.WriteOrForgetAsync(this);
        return true;
    }

    public async Task ReleaseAsync(Guid owner)
    {
        if (state.State.Owner == owner)
        {
            state.State.Owner = null;
            await state.WriteOrForgetAsync(this);
        }
    }

    public Task<Guid?> GetOwnerAsync() => Task.FromResult(state.State.Owner);
}
