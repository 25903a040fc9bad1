namespace Vdi.Grains.Interfaces.Users;

/// <summary>
/// What a user may do now, read from the user's grain at each request: the token carries the roles of its login,
/// but a role taken away (or granted, directly or by a group) counts from the next request, not the next login.
/// </summary>
[GenerateSerializer, Immutable, Alias("CurrentAccess")]
public sealed record CurrentAccess(
    [property: Id(0)] bool IsSuperuser,
    [property: Id(1)] IReadOnlyList<Role> Roles,
    [property: Id(2)] IReadOnlyList<string> GroupRoles);
