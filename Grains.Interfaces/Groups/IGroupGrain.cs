namespace Vdi.Grains.Interfaces.Groups;

/// <summary>A group of users; pools can be entitled to groups.</summary>
[Alias("IGroupGrain")]
public interface IGroupGrain : IGrainWithGuidKey
{
    [Alias("CreateAsync")]
    Task<GroupView> CreateAsync(string verboseName, string description, string user);

    [Alias("GetAsync")]
    Task<GroupView?> GetAsync();

    [Alias("AddMembersAsync")]
    Task<GroupView> AddMembersAsync(IReadOnlyList<Guid> users, string user);

    [Alias("RemoveMembersAsync")]
    Task<GroupView> RemoveMembersAsync(IReadOnlyList<Guid> users, string user);

    /// <summary>Renames the group or changes the roles and thin-client permissions it grants its members.</summary>
    [Alias("UpdateAsync")]
    Task<GroupView> UpdateAsync(GroupChanges changes, string user);

    /// <summary>Deletes the group: its pool grants and memberships go (members lose what it granted), journalled.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync(string user);
}
