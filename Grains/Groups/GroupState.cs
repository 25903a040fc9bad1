namespace Vdi.Grains.Groups;

[GenerateSerializer, Alias("GroupState")]
public sealed class GroupState
{
    [Id(0)] public string VerboseName { get; set; } = "";
    [Id(1)] public string Description { get; set; } = "";
    [Id(2)] public HashSet<Guid> Members { get; set; } = [];
    [Id(3)] public List<Vdi.Grains.Interfaces.Users.Role> Roles { get; set; } = [];
    [Id(4)] public List<string> TkPermissions { get; set; } = [];
}
