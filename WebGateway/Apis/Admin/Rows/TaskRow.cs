namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record TaskRow : AdminRow
{
    public Guid Id { get; init; }
    public Guid EntityId { get; init; }
    public Guid? PoolId { get; init; }
    public string TaskType { get; init; } = "";
    public string Status { get; init; } = "";
    public short Progress { get; init; }
    public string Message { get; init; } = "";
    public string Creator { get; init; } = "";
    public DateTime Created { get; init; }
    public DateTime? Started { get; init; }
    public DateTime? Finished { get; init; }
    public bool Resumable { get; init; }
    public short Priority { get; init; }
}
