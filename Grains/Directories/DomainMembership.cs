namespace Vdi.Grains.Directories;

/// <summary>
/// The broker's Active Directory as the pool worker sees it (the original's one directory): the account its VMs join
/// with, and the removal of their computer objects when they are deleted (the original's
/// <c>deleting_computers_from_ad_enabled</c>). Without an enabled Active Directory there is nothing to join or remove.
/// </summary>
public sealed class DomainMembership(DirectoryTable directories, IGrainFactory grains)
{
    public async Task<DomainJoin?> JoinAsync(string adOu) =>
        await directories.FirstEnabledActiveDirectoryAsync() is { } id ? await grains.GetGrain<IDirectoryInternalGrain>(id).DomainJoinAsync(adOu) : null;

    /// <summary>Null when there is no Active Directory to remove them from.</summary>
    public async Task<ComputerRemoval?> RemoveComputersAsync(IReadOnlyList<string> names) =>
        names.Count == 0 ? new ComputerRemoval(Interfaces.Directories.DirectoryOutcome.Ok, "no computers", [])
        : await directories.FirstEnabledActiveDirectoryAsync() is { } id ? await grains.GetGrain<IDirectoryInternalGrain>(id).RemoveComputersAsync(names)
        : null;
}
