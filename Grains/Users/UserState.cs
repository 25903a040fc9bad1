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

    public UserView ToView() => new(Id, Username, FirstName, LastName, Email, IsSuperuser, IsActive,
        [.. Roles], Created, Updated, LastLogin, TwoFactor, [.. TkPermissions]);
}
