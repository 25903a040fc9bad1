namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record GroupRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
    public string Description { get; init; } = "";
    public string[] Roles { get; init; } = [];
    public string[] TkPermissions { get; init; } = [];
    public long MembersCount { get; init; }
}
