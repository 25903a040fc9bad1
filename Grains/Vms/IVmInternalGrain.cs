using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Vms;

/// <summary>
/// What only the silo's own code asks of a VM (pools, tasks, controllers, thin-client sessions): internal to this
/// assembly, so a gateway, which sees only <see cref="IVmGrain"/>, cannot take a VM, change its owners or forget it.
/// </summary>
[Alias("IVmInternalGrain")]
internal interface IVmInternalGrain : IGrainWithGuidKey
{
    [Alias("AttachAsync")]
    Task<VmView> AttachAsync(VmAttachment attachment);

    /// <summary>Applies a change seen on the controller's event stream; ignored for domains the broker does not know.</summary>
    [Alias("ApplyDomainChangeAsync")]
    Task ApplyDomainChangeAsync(DomainChange change);

    /// <summary>Follows the controller's status (the original's pool/VM activate and deactivate); RESERVED stays.</summary>
    [Alias("FollowControllerAsync")]
    Task FollowControllerAsync(ControllerStatus status);

    /// <summary>Sets the broker-side status (RESERVED, ACTIVE, DELETING, FAILED).</summary>
    [Alias("SetStatusAsync")]
    Task<VmView> SetStatusAsync(VmStatus status);

    /// <summary>Takes the VM for a user only if it is free (ACTIVE, no owner); false otherwise.</summary>
    [Alias("TryTakeAsync")]
    Task<bool> TryTakeAsync(Guid userId);

    [Alias("AddOwnerAsync")]
    Task<VmView> AddOwnerAsync(Guid userId);

    [Alias("RemoveOwnerAsync")]
    Task<VmView> RemoveOwnerAsync(Guid userId);

    /// <summary>A user connected to the VM (vm_connected, or asked for it again): a pending disconnect action is cancelled.</summary>
    [Alias("UserConnectedAsync")]
    Task UserConnectedAsync(Guid userId);

    /// <summary>
    /// A user stopped using the VM (vm_disconnected, a closed or dead session): the pool's action after a disconnect
    /// is scheduled for its deadline, durably.
    /// </summary>
    [Alias("UserLeftAsync")]
    Task UserLeftAsync(Guid userId);

    /// <summary>
    /// The socket of a session that was in the VM went away (lost, reaped, AFK, a dead gateway or silo) without the
    /// client saying it left: the action is scheduled after <paramref name="grace"/> plus the pool's timeout, and is
    /// cancelled if any session of the user reports the VM meanwhile or still reports it at the deadline.
    /// </summary>
    [Alias("UserLostAsync")]
    Task UserLostAsync(Guid userId, TimeSpan grace);

    /// <summary>The pending disconnect action's deadline, if one is waiting.</summary>
    [Alias("GetPendingDisconnectAsync")]
    Task<DateTimeOffset?> GetPendingDisconnectAsync();

    /// <summary>Drops the VM's record (after it left its pool or was deleted on the controller).</summary>
    [Alias("ForgetAsync")]
    Task ForgetAsync();
}
