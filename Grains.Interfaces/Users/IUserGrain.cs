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
    /// A login: the password (and the one-time code of a 2FA account) checked, failures counted towards a lockout,
    /// every outcome journalled with the client's address. On success the attempt's token becomes the user's only valid
    /// one. Cancelled (and not computed) when the caller gives up while the verification waits for a hashing thread.
    /// The response timeout is long because in a logon storm verifications queue for the hashing threads in arrival
    /// order (70 ms of CPU each at the product's cost): the client decides how long it waits.
    /// </summary>
    [Alias("LoginAsync"), ResponseTimeout("00:02:00")]
    Task<LoginOutcome> LoginAsync(LoginAttempt attempt, CancellationToken cancellation = default);

    /// <summary>A security administrator releases a lockout (and forgets the failures counted), journalled.</summary>
    [Alias("UnlockAsync")]
    Task<UserView> UnlockAsync(string by);

    /// <summary>
    /// The thin-client permissions sent with a VM: the user's own (all of them for a superuser) and those of the user's
    /// groups. Group grants are read once per activation; <see cref="GroupsChangedAsync"/> makes the next call read them again.
    /// </summary>
    [Alias("GetTkPermissionsAsync"), Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<string>> GetTkPermissionsAsync();

    /// <summary>The user's group memberships, or a group's roles or permissions, changed.</summary>
    [Alias("GroupsChangedAsync"), Orleans.Concurrency.AlwaysInterleave] // a group the user is leaving tells it while the user grain waits for the group (deleting the user)
    Task GroupsChangedAsync();

    /// <summary>
    /// The user's roles now when <paramref name="tokenId"/> is the user's valid token (one per user: a newer login
    /// replaces it); null when it is not, or the user is inactive or gone.
    /// </summary>
    [Alias("GetAccessAsync"), Orleans.Concurrency.ReadOnly]
    Task<CurrentAccess?> GetAccessAsync(Guid tokenId);

    /// <summary>The user's roles now, whatever token (the dashboard's cookie re-check); null when inactive or gone.</summary>
    [Alias("GetStandingAsync"), Orleans.Concurrency.ReadOnly]
    Task<CurrentAccess?> GetStandingAsync();

    /// <summary>Invalidates the user's token (the thin client's logout).</summary>
    [Alias("LogoutAsync")]
    Task LogoutAsync();

    /// <summary>Stars or unstars a pool in the user's VeiL Connect (its favourites, <c>Get-Favorite-Only</c>).</summary>
    [Alias("SetFavoritePoolAsync")]
    Task SetFavoritePoolAsync(Guid poolId, bool favorite);

    /// <summary>
    /// The user turns 2FA on or off. On: with a code the enrolment is confirmed now, without one (VeiL Connect sends
    /// none) by the first login's code. Off, once confirmed: only with a current code (otherwise a security
    /// administrator resets it). A wrong or missing code is a <see cref="Errors.BrokerException"/> on <c>code</c>.
    /// </summary>
    [Alias("SetTwoFactorAsync")]
    Task<UserView> SetTwoFactorAsync(bool enabled, string? code = null);

    /// <summary>
    /// A new TOTP secret and its otpauth:// URI (issuer "VeiL VDI") for the user's authenticator; replacing a confirmed
    /// enrolment needs a current code of it.
    /// </summary>
    [Alias("GenerateTotpSecretAsync")]
    Task<TotpEnrollment> GenerateTotpSecretAsync(string? code = null);

    /// <summary>
    /// An administrator's change (names, activation, roles, password, thin-client permissions, 2FA reset); throws
    /// <see cref="Errors.BrokerException"/> naming the field. Deactivating or changing the password ends the user's session.
    /// </summary>
    [Alias("UpdateAsync")]
    Task<UserView> UpdateAsync(UserChanges changes, string by);

    /// <summary>
    /// Deletes the user: its pool grants and group memberships go, its name becomes free, its sessions and journal
    /// stay as history; refused (Conflict) while VMs are assigned to it. Journalled.
    /// </summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync(string by);
}
