namespace Vdi.Grains.Interfaces.Users;

/// <summary>Where a login comes from (the original journals it as the client type).</summary>
[GenerateSerializer, Alias("LoginChannel")]
public enum LoginChannel
{
    /// <summary>VeiL Connect (<c>User-Agent: thin-client</c>).</summary>
    ThinClient = 0,

    /// <summary>The admin panel or any other caller of <c>/auth/</c>.</summary>
    Web = 1,

    /// <summary>The Orleans dashboard's sign-in on a silo.</summary>
    Dashboard = 2,
}

/// <summary>
/// One login: the password, the one-time code when the account has 2FA, who asks (the client's address, for the
/// journal) and, for a login that will get a token, the token's id (recorded as the user's only valid one in the same
/// write as the login itself).
/// </summary>
[GenerateSerializer, Immutable, Alias("LoginAttempt")]
public sealed record LoginAttempt(
    [property: Id(0)] string Password,
    [property: Id(1)] string? Code,
    [property: Id(2)] string ClientAddress,
    [property: Id(3)] LoginChannel Channel,
    [property: Id(4)] Guid? TokenId = null,
    [property: Id(5)] bool Directory = false,
    [property: Id(6)] string? Typed = null,
    [property: Id(7)] bool Kerberos = false);

/// <summary>What a login came to.</summary>
[GenerateSerializer, Alias("LoginResult")]
public enum LoginResult
{
    Success = 0,

    /// <summary>Wrong password, wrong or missing one-time code, unknown or inactive account: one answer for all.</summary>
    Failed = 1,

    /// <summary>Too many failures in a row: refused without checking the password until <see cref="LoginOutcome.RetryAfter"/>.</summary>
    LockedOut = 2,

    /// <summary>The password was right but has expired (the original's PASSWORD_EXPIRATION_PERIOD): an administrator sets a new one.</summary>
    PasswordExpired = 3,

    /// <summary>A directory login that could not be checked: no directory is configured, or none answers (never counted as a failure).</summary>
    DirectoryUnavailable = 4,

    /// <summary>The directory checked the password and refused the account: disabled, locked or expired there (the original's "User X is deactivate.").</summary>
    AccountDisabled = 5,
}

/// <summary>The outcome of a <see cref="LoginAttempt"/>: the user only on success.</summary>
[GenerateSerializer, Immutable, Alias("LoginOutcome")]
public sealed record LoginOutcome(
    [property: Id(0)] LoginResult Result,
    [property: Id(1)] UserView? User = null,
    [property: Id(2)] TimeSpan RetryAfter = default,
    [property: Id(3)] string Domain = "",
    [property: Id(4)] string Detail = "")
{
    public static readonly LoginOutcome Failed = new(LoginResult.Failed);
}
