using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Journal;
using Vdi.Grains.Security;

namespace Vdi.Grains.Users;

[GrainType("username")]
public sealed class UsernameGrain(
    [PersistentState("username", StorageNames.Main)] IPersistentState<UsernameState> state,
    JournalWriter journal,
    PasswordHashing hashing) : Grain, IUsernameGrain
{
    public Task<Guid?> FindUserIdAsync() => Task.FromResult(state.State.UserId);

    public async Task<UserView?> CheckPasswordAsync(string password, CancellationToken cancellation = default)
    {
        if (state.State.UserId is { } id)
        {
            return await GrainFactory.GetGrain<IUserGrain>(id).CheckPasswordAsync(password, cancellation);
        }

        await hashing.DecoyAsync(password, cancellation);
        return null;
    }

    public async Task<UserView> CreateUserAsync(NewUser user)
    {
        var name = user.Username.Trim();
        if (name.Length == 0 || name.Length > Usernames.MaxLength)
        {
            throw BrokerException.Invalid("username", $"username must be 1 to {Usernames.MaxLength} characters");
        }

        if (Usernames.Key(name) != this.GetPrimaryKeyString())
        {
            throw BrokerException.Invalid("username", "username does not match this index entry");
        }

        if (string.IsNullOrEmpty(user.Password))
        {
            throw BrokerException.Invalid("password", "password must not be empty");
        }

        // A name reserved by an earlier attempt that died before the user was written is finished, not lost.
        if (state.State.UserId is { } existing
            && await GrainFactory.GetGrain<IUserGrain>(existing).GetAsync() is not null)
        {
            throw BrokerException.Conflict($"The username '{name}' is already taken.", "username");
        }

        state.State.UserId ??= Guid.NewGuid();
        await state.WriteOrForgetAsync(this);
        var created = await GrainFactory.GetGrain<IUserGrain>(state.State.UserId.Value).CreateAsync(user);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {created.Username} created.",
            EntityType: EntityType.User, EntityId: created.Id, User: user.Creator));
        return created;
    }
}
