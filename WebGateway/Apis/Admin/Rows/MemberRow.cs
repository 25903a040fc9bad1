namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>A user as a group's member or a pool's entitled user (with their VM in the pool, for the latter).</summary>
public sealed record MemberRow : AdminRow
{
    public Guid Id { get; init; }
    public string Username { get; init; } = "";
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public Guid? VmId { get; init; }
}
