namespace Vdi.Grains.Interfaces.Directories;

/// <summary>
/// A directory users sign in against (Active Directory, FreeIPA, OpenLDAP), keyed by its id. Its service account's
/// password is kept Data-Protection encrypted and never leaves the silo: views only say whether one is set.
/// </summary>
[Alias("IDirectoryGrain")]
public interface IDirectoryGrain : IGrainWithGuidKey
{
    /// <summary>Stores a new directory (every field checked first; a refusal names it); journalled.</summary>
    [Alias("CreateAsync")]
    Task<DirectoryView> CreateAsync(DirectorySettings settings, string by);

    /// <summary>Changes what is given (null: as it was; a new service password only when given); journalled with old → new.</summary>
    [Alias("UpdateAsync")]
    Task<DirectoryView> UpdateAsync(DirectorySettings changes, string by);

    [Alias("GetAsync"), Orleans.Concurrency.ReadOnly]
    Task<DirectoryView?> GetAsync();

    [Alias("DeleteAsync")]
    Task DeleteAsync(string by);

    /// <summary>"Test connection": the servers, TLS, the service account and the base DN, saying exactly what failed.</summary>
    [Alias("TestAsync"), ResponseTimeout("00:02:00")]
    Task<DirectoryCheck> TestAsync();

    /// <summary>
    /// Starts AD_SYNCHRONIZE_GROUP: the members of <paramref name="directoryGroup"/> (nested ones too in Active
    /// Directory) become the directory's members of the broker group <paramref name="groupId"/>; returns the task's id.
    /// </summary>
    [Alias("SynchronizeGroupAsync")]
    Task<Guid> SynchronizeGroupAsync(string directoryGroup, Guid groupId, string by);

    /// <summary>Starts LDAP_SYNCHRONIZE_USERS: every user of the directory becomes a broker user (the original's OpenLDAP sync).</summary>
    [Alias("SynchronizeUsersAsync")]
    Task<Guid> SynchronizeUsersAsync(string by);
}

/// <summary>A directory group kept in step with a broker group by the scheduled re-sync.</summary>
[GenerateSerializer, Immutable, Alias("DirectoryGroupSync")]
public sealed record DirectoryGroupSync([property: Id(0)] string DirectoryGroup, [property: Id(1)] Guid GroupId);

/// <summary>A directory's settings: all given at creation (but the optional ones), any at a change.</summary>
[GenerateSerializer, Immutable, Alias("DirectorySettings")]
public sealed record DirectorySettings
{
    [Id(0)] public string? VerboseName { get; init; }
    [Id(1)] public DirectoryKind? Kind { get; init; }
    [Id(2)] public IReadOnlyList<string>? Servers { get; init; }
    [Id(3)] public DirectorySecurity? Security { get; init; }
    [Id(4)] public string? BaseDn { get; init; }
    [Id(5)] public string? ServiceDn { get; init; }
    /// <summary>In clear only on its way to the grain, which encrypts it.</summary>
    [Id(6)] public string? ServicePassword { get; init; }
    /// <summary>The NetBIOS or DNS name the login answer's <c>domain</c> carries.</summary>
    [Id(7)] public string? Domain { get; init; }
    /// <summary>A folder of trusted CA certificates (<c>openssl rehash</c>); empty: the system's trust.</summary>
    [Id(8)] public string? CaDirectory { get; init; }
    [Id(9)] public int? TimeoutSeconds { get; init; }
    [Id(10)] public bool? Enabled { get; init; }
    /// <summary>The mappings, all of them (replacing those before); null: as they were.</summary>
    [Id(11)] public IReadOnlyList<DirectoryMapping>? Mappings { get; init; }
    /// <summary>Whether a user unknown to the broker is created at the first login (default: <c>Directories:CreateUsersAtFirstLogin</c>).</summary>
    [Id(12)] public bool? CreateUsers { get; init; }
    /// <summary>The groups the scheduled re-sync keeps in step, all of them (replacing those before).</summary>
    [Id(13)] public IReadOnlyList<DirectoryGroupSync>? GroupSyncs { get; init; }
    /// <summary>Minutes between scheduled re-syncs of <see cref="GroupSyncs"/>; 0: only when asked.</summary>
    [Id(14)] public int? SyncMinutes { get; init; }
    /// <summary>The trusted domains, all of them (replacing those before).</summary>
    [Id(15)] public IReadOnlyList<TrustedDomain>? TrustedDomains { get; init; }
}

/// <summary>What a mapping matches on: the account name, an OU the user is in, or a directory group of the user.</summary>
[GenerateSerializer, Alias("DirectoryMappingKind")]
public enum DirectoryMappingKind
{
    User = 0,
    Ou = 1,
    Group = 2,
}

/// <summary>
/// The original's mapping: at each login the mappings are tried in priority order (lowest first) and the first that
/// matches adds the user to its broker groups.
/// </summary>
[GenerateSerializer, Immutable, Alias("DirectoryMapping")]
public sealed record DirectoryMapping(
    [property: Id(0)] string Name,
    [property: Id(1)] DirectoryMappingKind Kind,
    [property: Id(2)] IReadOnlyList<string> Values,
    [property: Id(3)] IReadOnlyList<Guid> Groups,
    [property: Id(4)] int Priority)
{
    /// <summary>Whether a user of this account name, DN and directory groups matches.</summary>
    public bool Matches(string account, string dn, IReadOnlyCollection<string> groups) => Kind switch
    {
        DirectoryMappingKind.User => Values.Contains(account, StringComparer.OrdinalIgnoreCase),
        DirectoryMappingKind.Ou => dn.Split(',').Skip(1).Select(part => part.Trim())
            .Any(part => part.StartsWith("ou=", StringComparison.OrdinalIgnoreCase) && Values.Contains(part[3..], StringComparer.OrdinalIgnoreCase)),
        DirectoryMappingKind.Group => groups.Any(g => Values.Contains(g, StringComparer.OrdinalIgnoreCase)),
        _ => false,
    };
}

[GenerateSerializer, Immutable, Alias("DirectoryView")]
public sealed record DirectoryView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string VerboseName,
    [property: Id(2)] DirectoryKind Kind,
    [property: Id(3)] IReadOnlyList<string> Servers,
    [property: Id(4)] DirectorySecurity Security,
    [property: Id(5)] string BaseDn,
    [property: Id(6)] string ServiceDn,
    [property: Id(7)] bool HasServicePassword,
    [property: Id(8)] string Domain,
    [property: Id(9)] string CaDirectory,
    [property: Id(10)] int TimeoutSeconds,
    [property: Id(11)] bool Enabled,
    [property: Id(12)] DateTimeOffset Created,
    [property: Id(13)] DateTimeOffset Updated,
    [property: Id(14)] IReadOnlyList<DirectoryMapping>? Mappings = null,
    [property: Id(15)] bool CreateUsers = true,
    [property: Id(16)] IReadOnlyList<DirectoryGroupSync>? GroupSyncs = null,
    [property: Id(17)] int SyncMinutes = 0,
    [property: Id(18)] IReadOnlyList<TrustedDomain>? TrustedDomains = null);

/// <summary>What "test connection" found: <see cref="DirectoryOutcome.Ok"/>, or what failed and where.</summary>
[GenerateSerializer, Immutable, Alias("DirectoryCheck")]
public sealed record DirectoryCheck([property: Id(0)] DirectoryOutcome Outcome, [property: Id(1)] string Detail);
