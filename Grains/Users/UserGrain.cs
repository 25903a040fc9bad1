using Microsoft.AspNetCore.Identity;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.Grains.Users;

[GrainType("user")]
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    IPasswordHasher<UserState> hasher,
    UserTable table,
    TimeProvider time) : Grain, IUserGrain
{
    public async Task<UserView> CreateAsync(NewUser user)
    {
        if (state.RecordExists)
        {
            throw new InvalidOperationException($"User {this.GetPrimaryKey()} already exists.");
        }

        var now = time.GetUtcNow();
        var s = state.State;
        s.Id = this.GetPrimaryKey();
        s.Username = user.Username.Trim();
        s.FirstName = user.FirstName;
        s.LastName = user.LastName;
        s.Email = user.Email;
        s.IsSuperuser = user.IsSuperuser;
        s.IsActive = true;
        s.Roles = [.. user.Roles.Distinct()];
        s.Created = now;
        s.Updated = now;
        s.Creator = user.Creator;
        s.PasswordHash = hasher.HashPassword(s, user.Password);
        await SaveAsync();
        return s.ToView();
    }

    public Task<UserView?> GetAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToView() : null);

    public async Task<UserView?> CheckPasswordAsync(string password)
    {
        if (!state.RecordExists || !state.State.IsActive || string.IsNullOrEmpty(state.State.PasswordHash))
        {
            return null;
        }

        var result = hasher.VerifyHashedPassword(state.State, state.State.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            state.State.PasswordHash = hasher.HashPassword(state.State, password);
            await SaveAsync();
        }

        return state.State.ToView();
    }

    private async Task SaveAsync()
    {
        await state.WriteStateAsync();
        await table.UpsertAsync(state.State);
    }
}
