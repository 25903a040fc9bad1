namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record PoolVmRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
    public string Status { get; init; } = "";
    /// <summary>ECP's user_power_state: 0 undefined, 1 off, 2 suspended, 3 on.</summary>
    public short PowerState { get; init; }
    public bool CreatedByBroker { get; init; }
    public DateTime Updated { get; init; }
    public Guid[] Owners { get; init; } = [];
    public Guid? PoolId { get; init; }
    public string? PoolName { get; init; }
}
