using Vdi.Grains.Interfaces.Pools;

namespace Vdi.Tests.Fixtures;

public static class PoolGrainExtensions
{
    /// <summary>The VM the pool hands the user, or null when it has none (the refusal's reason is not asked for).</summary>
    public static async Task<Guid?> TakeVmIdAsync(this IPoolGrain pool, Guid userId) => (await pool.TakeVmForUserAsync(userId)).VmId;
}
