using Vdi.Grains.Interfaces.Directories;

namespace Vdi.Grains.Directories;

/// <summary>
/// What only silos ask a directory: a user's password. Not on the public interface, so no caller can use a
/// directory as a password oracle past the login's lockout and journal (every login goes through the username grain).
/// </summary>
[Alias("IDirectoryInternalGrain")]
internal interface IDirectoryInternalGrain : IDirectoryGrain
{
    [Alias("AuthenticateAsync"), ResponseTimeout("00:02:00")]
    Task<DirectoryLogin> AuthenticateAsync(string typed, string password);

    /// <summary>A user found by the service account alone (no password: Kerberos has already proven who it is).</summary>
    [Alias("ResolveAsync"), ResponseTimeout("00:02:00")]
    Task<DirectoryLogin> ResolveAsync(string account);

    /// <summary>The users of a directory group (nested groups included in Active Directory), or every user when the group is null.</summary>
    [Alias("MembersAsync"), ResponseTimeout("00:05:00")]
    Task<DirectoryMembers> MembersAsync(string? group, CancellationToken cancellation = default);

    /// <summary>The account VMs join this Active Directory with, into <paramref name="adOu"/>; null for another kind or a disabled directory.</summary>
    [Alias("DomainJoinAsync")]
    Task<DomainJoin?> DomainJoinAsync(string adOu);

    /// <summary>Deletes the computer objects named (the VMs' hostnames) wherever they are under the base DN, as the service account.</summary>
    [Alias("RemoveComputersAsync"), ResponseTimeout("00:05:00")]
    Task<ComputerRemoval> RemoveComputersAsync(IReadOnlyList<string> names);
}

[GenerateSerializer, Immutable, Alias("DirectoryMembers")]
public sealed record DirectoryMembers(
    [property: Id(0)] DirectoryOutcome Outcome,
    [property: Id(1)] string Detail,
    [property: Id(2)] IReadOnlyList<DirectoryMember> Members);

[GenerateSerializer, Immutable, Alias("DirectoryMember")]
public sealed record DirectoryMember(
    [property: Id(0)] string Account,
    [property: Id(1)] string FirstName,
    [property: Id(2)] string LastName,
    [property: Id(3)] string Email);

/// <summary>A directory's verdict on a login, with what the broker keeps of the user.</summary>
[GenerateSerializer, Immutable, Alias("DirectoryLogin")]
public sealed record DirectoryLogin(
    [property: Id(0)] DirectoryOutcome Outcome,
    [property: Id(1)] string Detail,
    [property: Id(2)] string Account = "",
    [property: Id(3)] string FirstName = "",
    [property: Id(4)] string LastName = "",
    [property: Id(5)] string Email = "",
    [property: Id(6)] IReadOnlyList<string>? Groups = null,
    [property: Id(7)] string Domain = "",
    [property: Id(8)] bool Enabled = true,
    [property: Id(9)] IReadOnlyList<Guid>? MappedGroups = null,
    [property: Id(10)] bool Removed = false,
    [property: Id(11)] bool CreateUsers = true);
