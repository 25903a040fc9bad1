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
    /// The user of this name when the password matches and the user is active; null otherwise. A name nobody holds
    /// costs the same password verification as a wrong password, so how long a login takes does not tell which
    /// names exist. Cancelled with the caller, like <see cref="IUserGrain.CheckPasswordAsync"/>.
    /// </summary>
    [Alias("CheckPasswordAsync"), ResponseTimeout("00:02:00")]
    Task<UserView?> CheckPasswordAsync(string password, CancellationToken cancellation = default);

    /// <summary>Creates a user under this name; throws a <see cref="Errors.BrokerException"/> Conflict on <c>username</c> when it is taken.</summary>
    [Alias("CreateUserAsync")]
    Task<UserView> CreateUserAsync(NewUser user);
}
