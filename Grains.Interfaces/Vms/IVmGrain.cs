namespace Vdi.Grains.Interfaces.Vms;

/// <summary>
/// One VM known to the broker, keyed by the controller's domain id: what the gateways may ask. The silo's own
/// callbacks (attach, take, owners, events, disconnect actions) are on the internal <c>IVmInternalGrain</c>.
/// </summary>
[Alias("IVmGrain")]
public interface IVmGrain : IGrainWithGuidKey
{
    [Alias("GetAsync")]
    Task<VmView?> GetAsync();

    /// <summary>A power action on the controller; waits for the controller's task. <paramref name="force"/> applies to shutdown and reboot.</summary>
    [Alias("PowerAsync")]
    Task<VmView> PowerAsync(PowerAction action, bool force);

    /// <summary>
    /// Makes the VM ready for a thin client (power on, remote access for SPICE) and resolves host and port for the
    /// protocol; throws <see cref="Errors.BrokerException"/> whose kind maps to the original's code (004, 005, 007). It may wait for the power-on and
    /// then for the guest's address (a minute each by default, <c>ThinClients:PowerOnTimeout</c> and
    /// <c>AddressTimeout</c>), so its response timeout is longer than Orleans' 30 s: a slow start is answered with the
    /// VM or with 004/005, not with the gateway's "busy".
    /// </summary>
    [Alias("PrepareConnectionAsync"), ResponseTimeout("00:05:00")]
    Task<VmConnectionData> PrepareConnectionAsync(Pools.ConnectionType protocol);

    /// <summary>
    /// <see cref="PrepareConnectionAsync"/> for a thin client's request: the VM's active override for the protocol
    /// applied, and the guest's time zone set to the client's (after the answer, from the guest agent; a failure is
    /// logged, never the user's).
    /// </summary>
    [Alias("ConnectAsync"), ResponseTimeout("00:05:00")]
    Task<VmConnectionData> ConnectAsync(ConnectRequest request);

    /// <summary>The administrator's connection overrides of the VM, by protocol.</summary>
    [Alias("GetConnectionOverridesAsync")]
    Task<IReadOnlyList<ConnectionOverride>> GetConnectionOverridesAsync();

    /// <summary>Sets (or, <paramref name="value"/> null, removes) the override for one protocol; journalled. Throws <see cref="Errors.BrokerException"/> Invalid naming the field.</summary>
    [Alias("SetConnectionOverrideAsync")]
    Task<IReadOnlyList<ConnectionOverride>> SetConnectionOverrideAsync(Pools.ConnectionType protocol, ConnectionOverride? value, string by);

    /// <summary>
    /// What the controller says about the VM now (for <c>get_vm_data</c>): read only, the VM is not powered on.
    /// A controller that cannot be asked is a <see cref="Errors.BrokerException"/> (004 for the thin client).
    /// </summary>
    [Alias("ReadDomainAsync")]
    Task<VmDomainData> ReadDomainAsync();

    /// <summary>Attaches (host and port given) or detaches (<paramref name="usb"/> or all) a thin client's TCP-USB device; the controller's reply.</summary>
    [Alias("UsbAsync")]
    Task<string> UsbAsync(UsbRequest request);

    /// <summary>
    /// (This and the administrator's calls below read the VM's record only and interleave: a guest command or a
    /// backup of many minutes never holds up its users' requests, and an RDS host serves its users in parallel.)
    /// The RDS farms and published applications <paramref name="userName"/> may use, read from the RDS host through its
    /// guest agent (the original's <c>get_published_apps.ps1</c>). A failure of the agent or the script is a
    /// <see cref="Errors.BrokerException"/> whose message says why.
    /// </summary>
    [Alias("GetPublishedAppsAsync"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:02:00")]
    Task<IReadOnlyList<Pools.RdsFarm>> GetPublishedAppsAsync(string userName);

    /// <summary>The controller's web console of the VM for an administrator (remote access turned on if it was off).</summary>
    [Alias("ConsoleUrlAsync"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:02:00")]
    Task<string> ConsoleUrlAsync(string by);

    /// <summary>Adds a CD-ROM with the guest utilities' ISO (the VM must be off); journalled.</summary>
    [Alias("AttachGuestUtilsAsync"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:05:00")]
    Task AttachGuestUtilsAsync(string by);

    /// <summary>Makes a template (a golden image) of a full copy of the VM named <paramref name="name"/>; the template's id. The VM must be off and no thin clone.</summary>
    [Alias("ConvertToTemplateAsync"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:20:00")]
    Task<Guid> ConvertToTemplateAsync(string name, string by);

    /// <summary>A backup of the VM on its controller (the original's backupVm), waited for; journalled. Not of a thin clone (Invalid).</summary>
    [Alias("BackupAsync"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:30:00")]
    Task BackupAsync(string by);

    /// <summary>The VM's backup files on its controller.</summary>
    [Alias("ListBackupsAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<VmBackup>> ListBackupsAsync();

    /// <summary>Restores a backup as a new VM of the same pool (its total size raised by one when full, as the original does); the new VM's id.</summary>
    [Alias("RestoreBackupAsync"), Orleans.Concurrency.AlwaysInterleave, ResponseTimeout("00:30:00")]
    Task<Guid> RestoreBackupAsync(Guid file, string by);
}
