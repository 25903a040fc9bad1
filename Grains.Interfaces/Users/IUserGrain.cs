namespace Vdi.Grains.Interfaces.Users;

/// <summary>One user, keyed by the user's id. Create users through <see cref="IUsernameGrain"/>.</summary>
[Alias("IUserGrain")]
public interface IUserGrain : IGrainWithGuidKey
{
    /// <summary>Creates the user; called once by the username grain that owns the name.</summary>
    [Alias("CreateAsync")]
    Task<UserView> CreateAsync(NewUser user);

    /// <summary>The user, or null when no user has this id.</summary>
    [Alias("GetAsync")]
    Task<UserView?> GetAsync();

    /// <summary>The user when the password matches and the user is active; null otherwise.</summary>
    [Alias("CheckPasswordAsync")]
    Task<UserView?> CheckPasswordAsync(string password);
}
