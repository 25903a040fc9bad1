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

    /// <summary>
    /// The user when the password matches and the user is active; null otherwise. Cancelled (and not computed) when
    /// the caller gives up while the verification waits for a hashing thread. The response timeout is long because in a
    /// logon storm verifications queue for the hashing threads in arrival order (70 ms of CPU each at the product's
    /// cost): the client decides how long it waits, and a login it abandons is cancelled.
    /// </summary>
    [Alias("CheckPasswordAsync"), ResponseTimeout("00:02:00")]
    Task<UserView?> CheckPasswordAsync(string password, CancellationToken cancellation = default);

    /// <summary>Checks a one-time password of the user's TOTP secret (30 s steps, one step of clock drift).</summary>
    [Alias("VerifyOneTimePasswordAsync")]
    Task<bool> VerifyOneTimePasswordAsync(string code);

    /// <summary>Makes this token the user's only valid one: any token issued before stops working everywhere.</summary>
    [Alias("RecordLoginAsync")]
    Task RecordLoginAsync(Guid tokenId);

    /// <summary>
    /// The thin-client permissions sent with a VM: the user's own (all of them for a superuser) and those of the user's
    /// groups. Group grants are read once per activation; <see cref="GroupsChangedAsync"/> makes the next call read them again.
    /// </summary>
    [Alias("GetTkPermissionsAsync"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> GetTkPermissionsAsync();

    /// <summary>The user's group memberships, or a group's roles or permissions, changed.</summary>
    [Alias("GroupsChangedAsync")]
    Task GroupsChangedAsync();

    /// <summary>
    /// The user's roles now when <paramref name="tokenId"/> is the user's valid token (one per user: a newer login
    /// replaces it); null when it is not, or the user is inactive or gone.
    /// </summary>
    [Alias("GetAccessAsync"), Orleans.Concurrency.ReadOnly]
    Task<CurrentAccess?> GetAccessAsync(Guid tokenId);

    /// <summary>Invalidates the user's token (the thin client's logout).</summary>
    [Alias("LogoutAsync")]
    Task LogoutAsync();

    /// <summary>Stars or unstars a pool in the user's VeiL Connect (its favourites, <c>Get-Favorite-Only</c>).</summary>
    [Alias("SetFavoritePoolAsync")]
    Task SetFavoritePoolAsync(Guid poolId, bool favorite);

    [Alias("SetTwoFactorAsync")]
    Task<UserView> SetTwoFactorAsync(bool enabled);

    /// <summary>A new TOTP secret and its otpauth:// URI (issuer "VeiL VDI") for the user's authenticator.</summary>
    [Alias("GenerateTotpSecretAsync")]
    Task<TotpEnrollment> GenerateTotpSecretAsync();

    /// <summary>
    /// An administrator's change (names, activation, roles, password, thin-client permissions, 2FA reset); throws
    /// <see cref="Errors.BrokerException"/> naming the field. Deactivating or changing the password ends the user's session.
    /// </summary>
    [Alias("UpdateAsync")]
    Task<UserView> UpdateAsync(UserChanges changes, string by);
}
