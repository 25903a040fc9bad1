using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Vms.Policies;

/// <summary>What the VM manager does when a pending disconnect action comes due.</summary>
/// <param name="FreeUser">Take the VM from the user who left.</param>
/// <param name="Recreate">Guest pools: take it from every user, mark it DELETING and let VM_GUEST_RECREATION replace it.</param>
/// <param name="Power">The power step, or null when there is none (NONE, or the VM is already in that state).</param>
/// <param name="Action">The configured action, for the journal.</param>
public sealed record DisconnectPlan(bool FreeUser, bool Recreate, PowerStep? Power, VmDisconnectAction Action);
