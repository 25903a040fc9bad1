namespace Vdi.Grains.Interfaces.Users;

/// <summary>What a user's groups grant: roles (counted at each request) and thin-client permissions (sent with a VM).</summary>
[GenerateSerializer, Immutable, Alias("GroupGrants")]
public sealed record GroupGrants(
    [property: Id(0)] IReadOnlyList<string> Roles,
    [property: Id(1)] IReadOnlyList<string> TkPermissions);
