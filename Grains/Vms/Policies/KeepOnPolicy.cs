using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Vms.Policies;

/// <summary>
/// "Keep VMs on" (§6.1): an assigned VM of a keep-on pool that is not running is started again. Unassigned VMs are
/// left alone, and so is a VM that the pool's own disconnect action powered down until its user connects again
/// (otherwise the two policies would fight over it).
/// </summary>
public static class KeepOnPolicy
{
    public static bool ShouldStart(bool keepVmsOn, int owners, VmStatus status, PowerState power, bool heldOffByPolicy) =>
        keepVmsOn
        && owners > 0
        && status is VmStatus.Active or VmStatus.Reserved
        && power is PowerState.Off or PowerState.Suspended
        && !heldOffByPolicy;
}
