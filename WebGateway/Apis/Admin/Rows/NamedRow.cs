namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>An entity by id and name (a pool's entitled groups).</summary>
public sealed record NamedRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
}
