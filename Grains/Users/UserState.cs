using Vdi.Grains.Interfaces.Users;

namespace Vdi.Grains.Users;

/// <summary>The persisted user record (grain storage, System.Text.Json).</summary>
[GenerateSerializer, Alias("UserState")]
public sealed class UserState
{
    [Id(0)] public Guid Id { get; set; }
    [Id(1)] public string Username { get; set; } = "";
    [Id(2)] public string PasswordHash { get; set; } = "";
    [Id(3)] public string FirstName { get; set; } = "";
    [Id(4)] public string LastName { get; set; } = "";
    [Id(5)] public string Email { get; set; } = "";
    [Id(6)] public bool IsSuperuser { get; set; }
    [Id(7)] public bool IsActive { get; set; }
    [Id(8)] public List<Role> Roles { get; set; } = [];
    [Id(9)] public DateTimeOffset Created { get; set; }
    [Id(10)] public DateTimeOffset Updated { get; set; }
    [Id(11)] public DateTimeOffset? LastLogin { get; set; }
    [Id(12)] public string Creator { get; set; } = "";
    [Id(13)] public Guid? CurrentTokenId { get; set; }
    [Id(14)] public bool TwoFactor { get; set; }
    /// <summary>The TOTP secret, Data-Protection encrypted.</summary>
    [Id(15)] public string ProtectedTotpSecret { get; set; } = "";
    [Id(16)] public List<string> TkPermissions { get; set; } = [];

    /// <summary>The 30-s step of the last one-time password accepted: a code is good once, and never an older one after it.</summary>
    [Id(17)] public long LastTotpStep { get; set; }

    /// <summary>Failed logins and lockouts (<see cref="Security.LockoutOptions"/>).</summary>
    [Id(18)] public Security.LockoutState Lockout { get; set; } = new();

    /// <summary>
    /// Whether a one-time code of the current secret has been seen (at enabling, or at the first login after it). Until
    /// then the enrolment may be redone or turned off without a code; after it only with a current one.
    /// </summary>
    [Id(19)] public bool TwoFactorConfirmed { get; set; }

    /// <summary>When the password stops being accepted (the original's password_expiration_date); null: never.</summary>
    [Id(20)] public DateTimeOffset? PasswordExpires { get; set; }

    /// <summary>The hashes of earlier passwords, newest first (no reuse of the last N).</summary>
    [Id(21)] public List<string> PasswordHistory { get; set; } = [];

    /// <summary>The directory the user comes from (its password is the directory's); null: a local user.</summary>
    [Id(22)] public Guid? DirectoryId { get; set; }

    public UserView ToView() => new(Id, Username, FirstName, LastName, Email, IsSuperuser, IsActive,
        [.. Roles], Created, Updated, LastLogin, TwoFactor, [.. TkPermissions], Lockout.LockedUntil, PasswordExpires, DirectoryId is null ? "LOCAL" : "DIRECTORY");
}
