namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record PoolRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
    public string PoolType { get; init; } = "";
    public string Status { get; init; } = "";
    public Guid ControllerId { get; init; }
    public int TotalSize { get; init; }
    public int ReserveSize { get; init; }
    public DateTime Created { get; init; }
    public long VmCount { get; init; }
    public long UsersCount { get; init; }
}
