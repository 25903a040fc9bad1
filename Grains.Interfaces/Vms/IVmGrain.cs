using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Interfaces.Vms;

/// <summary>One VM known to the broker, keyed by the controller's domain id.</summary>
[Alias("IVmGrain")]
public interface IVmGrain : IGrainWithGuidKey
{
    [Alias("AttachAsync")]
    Task<VmView> AttachAsync(VmAttachment attachment);

    [Alias("GetAsync")]
    Task<VmView?> GetAsync();

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

    /// <summary>start, shutdown, reboot, suspend or resume on the controller; waits for the controller's task.</summary>
    [Alias("PowerAsync")]
    Task<VmView> PowerAsync(string action, bool force);

    /// <summary>
    /// Makes the VM ready for a thin client (power on, remote access for SPICE) and resolves host and port for the
    /// protocol; throws <see cref="VmConnectionException"/> with the original's code. It may wait for the power-on and
    /// then for the guest's address (a minute each by default, <c>ThinClients:PowerOnTimeout</c> and
    /// <c>AddressTimeout</c>), so its response timeout is longer than Orleans' 30 s: a slow start is answered with the
    /// VM or with 004/005, not with the gateway's "busy".
    /// </summary>
    [Alias("PrepareConnectionAsync"), ResponseTimeout("00:05:00")]
    Task<VmConnectionData> PrepareConnectionAsync(Pools.ConnectionType protocol);

    /// <summary>
    /// What the controller says about the VM now (for <c>get_vm_data</c>): read only, the VM is not powered on.
    /// Throws <see cref="VmConnectionException"/> 004 when the controller cannot be asked.
    /// </summary>
    [Alias("ReadDomainAsync")]
    Task<VmDomainData> ReadDomainAsync();

    /// <summary>Attaches (host and port given) or detaches (<paramref name="usb"/> or all) a thin client's TCP-USB device; the controller's reply.</summary>
    [Alias("UsbAsync")]
    Task<string> UsbAsync(UsbRequest request);

    /// <summary>A user connected to the VM (vm_connected, or asked for it again): a pending disconnect action is cancelled.</summary>
    [Alias("UserConnectedAsync")]
    Task UserConnectedAsync(Guid userId);

    /// <summary>
    /// A user stopped using the VM (vm_disconnected, a closed or dead session): the pool's action after a disconnect
    /// is scheduled for its deadline, durably.
    /// </summary>
    [Alias("UserLeftAsync")]
    Task UserLeftAsync(Guid userId);

    /// <summary>The pending disconnect action's deadline, if one is waiting (for the admin view and tests).</summary>
    [Alias("GetPendingDisconnectAsync")]
    Task<DateTimeOffset?> GetPendingDisconnectAsync();

    /// <summary>Drops the VM's record (after it left its pool or was deleted on the controller).</summary>
    [Alias("ForgetAsync")]
    Task ForgetAsync();
}
