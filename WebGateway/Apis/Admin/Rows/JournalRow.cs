namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record JournalRow : AdminRow
{
    public long Id { get; init; }
    /// <summary>0 info, 1 warning, 2 error, 3 debug.</summary>
    public short EventType { get; init; }
    public string Message { get; init; } = "";
    public string Description { get; init; } = "";
    public string? EntityType { get; init; }
    public Guid? EntityId { get; init; }
    public string User { get; init; } = "";
    /// <summary>The address the acting client's request came from ("" for the broker's own actions).</summary>
    public string ClientAddress { get; init; } = "";
    public DateTime Created { get; init; }
    /// <summary>Whether the asking administrator has marked it read.</summary>
    public bool Read { get; init; }
}
