using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;

namespace Vdi.Grains.Pools;

/// <summary>
/// Who may use a pool: users directly or through groups. A change is stored (state, then <c>vdi_pool_entitlements</c>),
/// journaled, published for admin panels, and told to the thin clients of every user it concerns, which refresh their
/// pool list (§8.2 <c>pool_entitlement_changed</c>). The pool grain owns the state and calls this on its scheduler.
/// </summary>
public sealed class PoolEntitlements(Func<PoolState> pool, Guid poolId, Func<Task> write, PoolTable table, JournalWriter journal,
    LiveEventPublisher live, IGrainFactory grains)
{
    public async Task<bool> IsEntitledAsync(Guid userId) =>
        pool().EntitledUsers.Contains(userId) || await table.IsMemberOfAnyAsync(userId, pool().EntitledGroups);

    public async Task ChangeAsync(IReadOnlyList<Guid> users, IReadOnlyList<Guid> groups, string user, bool add)
    {
        var p = pool();
        foreach (var u in users)
        {
            _ = add ? p.EntitledUsers.Add(u) : p.EntitledUsers.Remove(u);
        }

        foreach (var g in groups)
        {
            _ = add ? p.EntitledGroups.Add(g) : p.EntitledGroups.Remove(g);
        }

        await write();
        await table.SetEntitlementsAsync(poolId, p.EntitledUsers, p.EntitledGroups);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Pool {p.VerboseName}: entitlements {(add ? "granted" : "removed")}.",
            await table.NamesAsync(users, groups), EntityType.Pool, poolId, user));
        await live.PublishAsync(LiveStreams.Pools, "pool_entitlement_changed", poolId, new { id = poolId, users, groups, entitled = add });
        var message = System.Text.Json.JsonSerializer.Serialize(new
        {
            msg_type = "data",
            resource = LiveStreams.Pools,
            @event = "pool_entitlement_changed",
            id = poolId,
            verbose_name = p.VerboseName,
        });
        var concerned = users.Concat(await table.MembersOfAsync(groups)).Distinct();
        await Task.WhenAll(concerned.Select(u => grains.GetGrain<IUserSessionsGrain>(u).SendAsync(message)));
    }
}
