namespace Vdi.Grains.Interfaces.Tasks;

/// <summary>
/// A durable lock held by a task: <c>pool/{id}</c> (one task per pool) and <c>template/{id}</c> (ECP allows one
/// operation per template). The holder re-acquires it after a crash; a finished task releases it.
/// </summary>
[Alias("IEntityLockGrain")]
public interface IEntityLockGrain : IGrainWithStringKey
{
    /// <summary>True when <paramref name="owner"/> holds the lock (now or already).</summary>
    [Alias("TryAcquireAsync")]
    Task<bool> TryAcquireAsync(Guid owner);

    [Alias("ReleaseAsync")]
    Task ReleaseAsync(Guid owner);

    [Alias("GetOwnerAsync")]
    Task<Guid?> GetOwnerAsync();
}
