namespace Vdi.Simulator.Inventory;

/// <summary>A VM or template. Mutated only under the inventory's lock.</summary>
public sealed class SimDomain
{
    public required Guid Id { get; init; }
    public required string VerboseName { get; set; }
    public required bool Template { get; set; }
    public required string OsType { get; init; }
    public required Guid ResourcePoolId { get; init; }
    public required Guid NodeId { get; init; }
    public required Guid DataPoolId { get; init; }
    public Guid? ParentId { get; init; }
    public bool Thin { get; init; }
    public string Status { get; set; } = "ACTIVE";
    public PowerState PowerState { get; set; } = PowerState.Off;
    public bool RemoteAccess { get; set; }
    public required int RemoteAccessPort { get; init; }
    public required string GraphicsPassword { get; init; }
    public required string Ipv4 { get; init; }
    public string? Hostname { get; set; }
    public bool GuestAgentUp { get; set; }
    public string? TimeZone { get; set; }
    /// <summary>The domain the guest was joined to by vdi-prepare's set_ad (domain, account, OU, SHA-256 of the password).</summary>
    public (string Domain, string Login, string? OuPath, string PasswordSha256)? AdJoin { get; set; }
    public HashSet<Guid> Tags { get; } = [];
    /// <summary>An RDS host's farms and their published applications; empty for any other VM.</summary>
    public List<(string Farm, List<string> Apps)> PublishedApps { get; } = [];
    public List<string> UsbDevices { get; } = [];
    /// <summary>The guest utilities' ISO is in the VM's CD-ROM (attach-veil-utils-iso).</summary>
    public bool GuestUtilsIso { get; set; }
    /// <summary>The VM's backup files (backup/), newest last.</summary>
    public List<(Guid Id, string File, DateTimeOffset Created)> Backups { get; } = [];
}
