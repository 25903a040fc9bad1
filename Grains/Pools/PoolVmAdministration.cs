using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Journal;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Pools;

/// <summary>
/// An administrator's hand on a pool's VMs: assign one to an entitled user (one VM per user per pool, one user per
/// guest VM), free it, reserve it (a RESERVED VM is never handed out). Each VM grain is the judge of its owners; the
/// pool grain serializes these with its hand-out and calls this on its scheduler.
/// </summary>
public sealed class PoolVmAdministration(Func<PoolState> pool, Guid poolId, PoolTable table, JournalWriter journal, IGrainFactory grains,
    Func<Guid, Task<bool>> isEntitled)
{
    public async Task AssignAsync(Guid vmId, Guid userId, string user)
    {
        var vm = await MemberAsync(vmId);
        if (!await isEntitled(userId))
        {
            throw BrokerException.Invalid("users", "users: the user is not entitled to this pool");
        }

        if (pool().PoolType == PoolType.Guest && vm.Owners.Any(o => o != userId))
        {
            throw BrokerException.Conflict("a guest VM has one user at most", "users");
        }

        if (await table.VmOfUserAsync(poolId, userId) is { } current && current != vmId)
        {
            await grains.GetGrain<IVmInternalGrain>(current).RemoveOwnerAsync(userId); // one VM per user per pool
        }

        await grains.GetGrain<IVmInternalGrain>(vmId).AddOwnerAsync(userId);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"VM {vm.VerboseName} assigned to a user.", $"User id: {userId}.", EntityType.Vm, vmId, user));
    }

    public async Task FreeAsync(Guid vmId, Guid userId, string user)
    {
        var vm = await MemberAsync(vmId);
        await grains.GetGrain<IVmInternalGrain>(vmId).RemoveOwnerAsync(userId);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"VM {vm.VerboseName} freed from a user.", $"User id: {userId}.", EntityType.Vm, vmId, user));
    }

    /// <summary>RESERVED ⇔ ACTIVE; false when the VM was so already.</summary>
    public async Task<bool> ReserveAsync(Guid vmId, bool reserved)
    {
        var vm = await MemberAsync(vmId);
        if (reserved == (vm.Status == VmStatus.Reserved))
        {
            return false;
        }

        if (vm.Status is not (VmStatus.Active or VmStatus.Reserved))
        {
            throw BrokerException.WrongStatus($"the VM is {vm.Status.ToWire()}", "vm_id");
        }

        await grains.GetGrain<IVmInternalGrain>(vmId).SetStatusAsync(reserved ? VmStatus.Reserved : VmStatus.Active);
        return true;
    }

    private async Task<VmView> MemberAsync(Guid vmId) =>
        await grains.GetGrain<IVmGrain>(vmId).GetAsync() is { } vm && vm.PoolId == poolId
            ? vm
            : throw new BrokerException(ErrorKind.NotFound, $"vm_id: VM {vmId} is not in this pool", "vm_id");
}
