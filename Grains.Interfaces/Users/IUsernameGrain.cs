namespace Vdi.Grains.Interfaces.Users;

/// <summary>
/// The username index: one activation per lower-cased username. It is the single gate through which a name is
/// taken, so two concurrent creations of the same name cannot both succeed.
/// </summary>
[Alias("IUsernameGrain")]
public interface IUsernameGrain : IGrainWithStringKey
{
    /// <summary>The id of the user holding this name, or null.</summary>
    [Alias("FindUserIdAsync")]
    Task<Guid?> FindUserIdAsync();

    /// <summary>
    /// A login under this name (see <see cref="IUserGrain.LoginAsync"/>). A name nobody holds costs the same password
    /// verification as a wrong password and is locked out after as many failures, so neither the time a login takes nor
    /// its answer tells which names exist.
    /// </summary>
    [Alias("LoginAsync"), ResponseTimeout("00:02:00")]
    Task<LoginOutcome> LoginAsync(LoginAttempt attempt, CancellationToken cancellation = default);

    /// <summary>The user holding this name was deleted: the name is free again.</summary>
    [Alias("ReleaseAsync")]
    Task ReleaseAsync(Guid userId);

    /// <summary>Creates a user under this name; throws a <see cref="Errors.BrokerException"/> Conflict on <c>username</c> when it is taken.</summary>
    [Alias("CreateUserAsync")]
    Task<UserView> CreateUserAsync(NewUser user);
}
