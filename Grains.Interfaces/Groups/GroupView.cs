namespace Vdi.Grains.Interfaces.Groups;

[GenerateSerializer, Immutable, Alias("GroupView")]
public sealed record GroupView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string VerboseName,
    [property: Id(2)] string Description,
    [property: Id(3)] IReadOnlyList<Guid> Members,
    [property: Id(4)] IReadOnlyList<Users.Role>? Roles = null,
    [property: Id(5)] IReadOnlyList<string>? TkPermissions = null);
