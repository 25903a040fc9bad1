using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Vms.Policies;

/// <summary>
/// The original's "action upon user disconnect" (§6.2): wait the pool's timeout after the user left, then free the VM
/// from the user if the pool says so (never in guest pools), then shut down, force off, suspend, or recreate (guest
/// pools only). A connection to the VM before the deadline cancels the wait. Pure: the VM grain feeds it state and time.
/// </summary>
public static class DisconnectPolicy
{
    /// <summary>
    /// The wait that starts when <paramref name="userId"/> stops using the VM; null when the pool has no such policy.
    /// <paramref name="grace"/>: the client's socket went away (it did not say it left the VM), so the pool's timeout
    /// starts only after this window in which the client may come back.
    /// </summary>
    public static PendingDisconnect? Schedule(VmPolicySettings? pool, Guid userId, DateTimeOffset now, TimeSpan grace = default)
    {
        if (pool is null || pool.PoolType == PoolType.Rds)
        {
            return null;
        }

        if (!pool.FreeVmFromUser && pool.ActionUponUserDisconnect == VmDisconnectAction.None)
        {
            return null; // nothing would happen at the deadline
        }

        return new PendingDisconnect
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            LeftAt = now,
            GraceUntil = grace > TimeSpan.Zero ? now + grace : null,
            Deadline = now + (grace > TimeSpan.Zero ? grace : TimeSpan.Zero) + TimeSpan.FromSeconds(Math.Max(0, pool.DisconnectActionTimeoutSeconds)),
        };
    }

    /// <summary>How long until the pending action is due (zero when it is due now or overdue).</summary>
    public static TimeSpan Remaining(PendingDisconnect pending, DateTimeOffset now) =>
        pending.Deadline > now ? pending.Deadline - now : TimeSpan.Zero;

    /// <summary>What to do at the deadline, given the pool's settings now and the VM as it is now.</summary>
    public static DisconnectPlan Plan(VmPolicySettings pool, PendingDisconnect pending, IReadOnlyCollection<Guid> owners, PowerState power)
    {
        var guest = pool.PoolType == PoolType.Guest;
        var action = pool.ActionUponUserDisconnect;
        if (guest && action == VmDisconnectAction.Recreate)
        {
            return new DisconnectPlan(FreeUser: false, Recreate: true, Power: null, action);
        }

        var free = pool.FreeVmFromUser && !guest && owners.Contains(pending.UserId);
        PowerStep? step = action switch
        {
            VmDisconnectAction.Shutdown when power != PowerState.Off => new PowerStep(PowerAction.Shutdown, false),
            VmDisconnectAction.ShutdownForced when power != PowerState.Off => new PowerStep(PowerAction.Shutdown, true),
            VmDisconnectAction.Suspend when power == PowerState.On => new PowerStep(PowerAction.Suspend, false),
            _ => null, // NONE, RECREATE outside guest pools, or the VM is already there
        };
        return new DisconnectPlan(free, Recreate: false, step, action);
    }

    /// <summary>Whether keep-on should leave the VM off afterwards: the policy powered it down and the user still owns it.</summary>
    public static bool HoldsPowerOff(DisconnectPlan plan, IReadOnlyCollection<Guid> ownersAfter) =>
        plan.Power is not null && ownersAfter.Count > 0;
}
