namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>A thin-client session (the original's thin_clients list) with its current VM connection, if any.</summary>
public sealed record SessionRow : AdminRow
{
    public Guid ConnId { get; init; }
    public Guid UserId { get; init; }
    public string UserName { get; init; } = "";
    public string VeilConnectVersion { get; init; } = "";
    public string? VmName { get; init; }
    public Guid? VmId { get; init; }
    public string TkIp { get; init; } = "";
    public string TkOs { get; init; } = "";
    public DateTime Connected { get; init; }
    public DateTime? Disconnected { get; init; }
    public DateTime? DataReceived { get; init; }
    public DateTime? LastInteraction { get; init; }
    public bool IsAfk { get; init; }
    public string? ConnectionType { get; init; }
    public bool? IsConnectionSecure { get; init; }
    public long? ReadSpeed { get; init; }
    public long? WriteSpeed { get; init; }
    public double? AvgRtt { get; init; }
    public double? LossPercentage { get; init; }
    public string MacAddress { get; init; } = "";
    public string Hostname { get; init; } = "";
    public string Gateway { get; init; } = "";
    /// <summary>Why it ended: a <c>SessionCloseReason</c> wire name (the panel translates it).</summary>
    public string? CloseReason { get; init; }
}
