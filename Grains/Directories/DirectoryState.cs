using Vdi.Grains.Interfaces.Directories;

namespace Vdi.Grains.Directories;

[GenerateSerializer, Alias("DirectoryState")]
public sealed class DirectoryState
{
    [Id(0)] public string VerboseName { get; set; } = "";
    [Id(1)] public DirectoryKind Kind { get; set; }
    [Id(2)] public List<string> Servers { get; set; } = [];
    [Id(3)] public DirectorySecurity Security { get; set; }
    [Id(4)] public string BaseDn { get; set; } = "";
    [Id(5)] public string ServiceDn { get; set; } = "";
    /// <summary>The service account's password, Data-Protection encrypted.</summary>
    [Id(6)] public string ProtectedServicePassword { get; set; } = "";
    [Id(7)] public string Domain { get; set; } = "";
    [Id(8)] public string CaDirectory { get; set; } = "";
    [Id(9)] public int TimeoutSeconds { get; set; } = 10;
    [Id(10)] public bool Enabled { get; set; } = true;
    [Id(11)] public DateTimeOffset Created { get; set; }
    [Id(12)] public DateTimeOffset Updated { get; set; }
    [Id(13)] public List<DirectoryMapping> Mappings { get; set; } = [];
    /// <summary>Null: the silo's <c>Directories:CreateUsersAtFirstLogin</c>.</summary>
    [Id(14)] public bool? CreateUsers { get; set; }
    [Id(15)] public List<DirectoryGroupSync> GroupSyncs { get; set; } = [];
    [Id(16)] public int SyncMinutes { get; set; } = 60;
    [Id(17)] public List<TrustedDomain> TrustedDomains { get; set; } = [];
}
