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
    PasswordHashing hashing,
    Microsoft.Extensions.Options.IOptions<LockoutOptions> lockout,
    Directories.DirectoryTable directories,
    SecurityClock clock) : Grain, IUsernameGrain
{
    /// <summary>Failures under a name nobody holds, in memory only: the same lockout as an account's, so the answers match.</summary>
    private readonly LockoutState _unknown = new();

    public Task<Guid?> FindUserIdAsync() => Task.FromResult(state.State.UserId);

    public async Task<LoginOutcome> LoginAsync(LoginAttempt attempt, CancellationToken cancellation = default)
    {
        if (state.State.UserId is { } id)
        {
            return await GrainFactory.GetGrain<IUserGrain>(id).LoginAsync(attempt, cancellation);
        }

        var now = clock.Now;
        var name = this.GetPrimaryKeyString();
        if (_unknown.RemainingAt(now) is var remaining && remaining > TimeSpan.Zero)
        {
            await JournalFailureAsync(name, attempt, "the name is locked");
            return new LoginOutcome(LoginResult.LockedOut, RetryAfter: remaining);
        }

        if (attempt.Directory)
        {
            return await FirstDirectoryLoginAsync(name, attempt, now, cancellation);
        }

        await hashing.DecoyAsync(attempt.Password, cancellation);
        await JournalFailureAsync(name, attempt, "no such user");
        return _unknown.Fail(now, lockout.Value) is { } length ? new LoginOutcome(LoginResult.LockedOut, RetryAfter: length) : LoginOutcome.Failed;
    }

    /// <summary>
    /// A directory user who is not a broker user yet: the directory checks the password, and the user is created then
    /// (<see cref="Directories.DirectoryOptions.CreateUsersAtFirstLogin"/>) and logged in through its own grain.
    /// </summary>
    private async Task<LoginOutcome> FirstDirectoryLoginAsync(string name, LoginAttempt attempt, DateTimeOffset now, CancellationToken cancellation)
    {
        if (await directories.FirstEnabledAsync() is not { } directoryId)
        {
            return UserGrain.DirectoryUnavailable("no directory is configured");
        }

        var verdict = await UserGrain.AskDirectoryAsync(GrainFactory.GetGrain<Directories.IDirectoryInternalGrain>(directoryId), attempt, name);
        if (UserGrain.RightPasswordRefused(verdict) is { } refused)
        {
            await JournalFailureAsync(name, attempt, $"the directory refused it: {verdict.Detail}");
            return refused;
        }

        if (verdict.Outcome is not (Interfaces.Directories.DirectoryOutcome.Ok or Interfaces.Directories.DirectoryOutcome.WrongCredentials))
        {
            return UserGrain.DirectoryUnavailable(verdict.Detail);
        }

        if (verdict.Outcome == Interfaces.Directories.DirectoryOutcome.Ok && Usernames.Key(verdict.Account) != name)
        {
            // typed by another of its names (a UPN such as dave@corp.example for the account ad-dave): the broker user is
            // the directory's account name, so one person is one broker user whichever name they type
            return await GrainFactory.GetGrain<IUsernameGrain>(Usernames.Key(verdict.Account)).LoginAsync(attempt, cancellation);
        }

        if (verdict.Outcome != Interfaces.Directories.DirectoryOutcome.Ok || !verdict.CreateUsers)
        {
            await JournalFailureAsync(name, attempt, verdict.Outcome == Interfaces.Directories.DirectoryOutcome.Ok
                ? "a directory user who is not a broker user (the directory does not create users at the first login)"
                : $"the directory refused it: {verdict.Detail}");
            return _unknown.Fail(now, lockout.Value) is { } length ? new LoginOutcome(LoginResult.LockedOut, RetryAfter: length) : LoginOutcome.Failed;
        }

        var username = verdict.Account; // as the directory spells it (the key of this grain, case aside)
        await CreateUserAsync(UserGrain.DirectoryUser(username, verdict.FirstName, verdict.LastName, verdict.Email, directoryId, "directory"));
        // the directory has just said yes: the new user's login takes its verdict rather than asking again
        return await GrainFactory.GetGrain<IUserInternalGrain>(state.State.UserId!.Value).LoginCheckedAsync(attempt, verdict, cancellation);
    }

    private Task JournalFailureAsync(string name, LoginAttempt attempt, string reason) => journal.WriteAsync(UserGrain.FailedLogin(name, null, attempt, reason));

    public async Task ReleaseAsync(Guid userId)
    {
        if (state.State.UserId == userId)
        {
            await state.ClearStateAsync();
            state.State = new UsernameState();
        }
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

        if (string.IsNullOrEmpty(user.Password) && user.DirectoryId is null)
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
