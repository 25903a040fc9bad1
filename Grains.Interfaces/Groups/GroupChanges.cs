namespace Vdi.Grains.Interfaces.Groups;

/// <summary>An administrator's change to a group; null fields stay.</summary>
[GenerateSerializer, Immutable, Alias("GroupChanges")]
public sealed record GroupChanges(
    [property: Id(0)] string? VerboseName = null,
    [property: Id(1)] string? Description = null,
    [property: Id(2)] IReadOnlyList<Users.Role>? Roles = null,
    [property: Id(3)] IReadOnlyList<string>? TkPermissions = null);
