using Vdi.Grains.Interfaces.Groups;

namespace Vdi.Grains.Groups;

/// <summary>What only silos ask a group: a directory login putting its user in a mapped group.</summary>
[Alias("IGroupInternalGrain")]
internal interface IGroupInternalGrain : IGroupGrain
{
    /// <summary>
    /// Adds one user at its login (a directory mapping): nothing written when it is a member already, and no view
    /// of every member sent back. False when the group does not exist.
    /// </summary>
    [Alias("JoinAsync")]
    Task<bool> JoinAsync(Guid userId, string username, string by);
}
