namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>A directory in the list (its connection settings are read from the directory itself).</summary>
public sealed record DirectoryRow : AdminRow
{
    public Guid Id { get; init; }
    public string VerboseName { get; init; } = "";
    /// <summary>ACTIVE_DIRECTORY, FREE_IPA or OPEN_LDAP.</summary>
    public string Kind { get; init; } = "";
    public string Domain { get; init; } = "";
    public string[] Servers { get; init; } = [];
    public bool Enabled { get; init; }
    public DateTime Created { get; init; }
    public DateTime Updated { get; init; }
}
