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
}
