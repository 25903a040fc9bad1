using Vdi.Grains.Interfaces.Errors;
namespace Vdi.Grains.Interfaces.Users;

/// <summary>A user as callers see it: never the password hash.</summary>
[GenerateSerializer, Immutable, Alias("UserView")]
public sealed record UserView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Username,
    [property: Id(2)] string FirstName,
    [property: Id(3)] string LastName,
    [property: Id(4)] string Email,
    [property: Id(5)] bool IsSuperuser,
    [property: Id(6)] bool IsActive,
    [property: Id(7)] IReadOnlyList<Role> Roles,
    [property: Id(8)] DateTimeOffset Created,
    [property: Id(9)] DateTimeOffset Updated,
    [property: Id(10)] DateTimeOffset? LastLogin,
    [property: Id(11)] bool TwoFactor = false,
    [property: Id(12)] IReadOnlyList<string>? TkPermissions = null,
    [property: Id(13)] DateTimeOffset? LockedUntil = null,
    [property: Id(14)] DateTimeOffset? PasswordExpires = null,
    [property: Id(15)] string Source = "LOCAL")
{
    /// <summary>True when the user holds the role directly or as a superuser.</summary>
    public bool HasRole(Role role) => IsSuperuser || Roles.Contains(role);

    /// <summary>The original's thin-client permissions; a superuser has all of them.</summary>
    public static readonly IReadOnlyList<string> AllTkPermissions =
        ["USB_REDIR", "FOLDERS_REDIR", "SHARED_CLIPBOARD_CLIENT_TO_GUEST", "SHARED_CLIPBOARD_GUEST_TO_CLIENT"];

    /// <summary>Refuses permissions the thin client does not know (for users and groups alike).</summary>
    public static IReadOnlyList<string> ValidTkPermissions(IEnumerable<string> permissions)
    {
        var list = permissions.Distinct().ToList();
        return list.FirstOrDefault(p => !AllTkPermissions.Contains(p)) is { } unknown
            ? throw BrokerException.Invalid("tk_permissions", $"tk_permissions: unknown permission {unknown}")
            : list;
    }

    public IReadOnlyList<string> EffectiveTkPermissions => IsSuperuser ? AllTkPermissions : TkPermissions ?? [];
}
