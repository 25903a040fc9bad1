namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>A cluster, node, resource or data pool, template or VM of one of the broker's controllers.</summary>
public sealed record ResourceRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
    public string Status { get; init; } = "";
    public Guid ControllerId { get; init; }
    public string Controller { get; init; } = "";
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
