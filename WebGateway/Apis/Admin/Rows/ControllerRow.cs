namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record ControllerRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
    public string Address { get; init; } = "";
    public string Description { get; init; } = "";
    public string Status { get; init; } = "";
    public string Version { get; init; } = "";
    public DateTime Created { get; init; }
    public DateTime Updated { get; init; }
}
