namespace Vdi.WebGateway.Apis.Admin.Rows;

public sealed record UserRow : AdminRow
{
    public Guid Id { get; init; }
    public string Username { get; init; } = "";
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public string Email { get; init; } = "";
    public bool IsSuperuser { get; init; }
    public bool IsActive { get; init; }
    public string[] Roles { get; init; } = [];
    public DateTime Created { get; init; }
    public DateTime? LastLogin { get; init; }
    public Guid? DirectoryId { get; init; }
    /// <summary>LOCAL (a password of its own) or DIRECTORY (the directory checks it).</summary>
    public string Source => DirectoryId is null ? "LOCAL" : "DIRECTORY";
}
