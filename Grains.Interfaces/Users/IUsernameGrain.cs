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

    /// <summary>Creates a user under this name; throws <see cref="UsernameTakenException"/> when it is taken.</summary>
    [Alias("CreateUserAsync")]
    Task<UserView> CreateUserAsync(NewUser user);
}
