using Orleans.Concurrency;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Pools;

/// <summary>What only the silo asks of a pool: its tasks' and controller's callbacks, and its VMs' policy.</summary>
[Alias("IPoolInternalGrain")]
internal interface IPoolInternalGrain : IGrainWithGuidKey
{
    /// <summary>
    /// The settings the pool's VMs apply after a disconnect and for keep-on; null for an unknown pool. Answered from
    /// memory and interleaved, so a VM grain may ask while the pool is waiting on that same VM.
    /// </summary>
    [Alias("GetVmPolicyAsync"), AlwaysInterleave]
    Task<VmPolicySettings?> GetVmPolicyAsync();

    /// <summary>Starts an expansion if the auto-expand rule calls for one and none is pending; returns it, or null.</summary>
    [Alias("RequestAutoExpansionAsync")]
    Task<TaskView?> RequestAutoExpansionAsync();

    [Alias("SetStatusAsync")]
    Task SetStatusAsync(PoolStatus status, string? reason);

    [Alias("SetOsTypeAsync")]
    Task SetOsTypeAsync(string osType);

    [Alias("ExpansionFinishedAsync")]
    Task ExpansionFinishedAsync(Guid taskId);

    [Alias("FollowControllerAsync")]
    Task FollowControllerAsync(ControllerStatus status);

    /// <summary>POOL_DECREASE's step: total_size lowered, never below the VMs the pool has now; the size as it is after.</summary>
    [Alias("DecreaseTotalSizeAsync")]
    Task<int> DecreaseTotalSizeAsync(int size, string user);

    /// <summary>Puts VMs that joined the pool under its controller tag (made with the first ones); a refusal is only logged.</summary>
    [Alias("TagVmsAsync")]
    Task TagVmsAsync(IReadOnlyList<Guid> vmIds);

    /// <summary>POOL_TEMPLATE_CHANGE's first step: the template new clones are made from.</summary>
    [Alias("SetTemplateAsync")]
    Task SetTemplateAsync(Guid templateId, string user);

    /// <summary>Drops the pool's record once POOL_DELETE has removed its VMs.</summary>
    [Alias("ForgetAsync")]
    Task ForgetAsync(string user);
}
