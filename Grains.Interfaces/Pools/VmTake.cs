namespace Vdi.Grains.Interfaces.Pools;

/// <summary>
/// A pool's answer to "a VM for this user": the VM (now the user's), or why there is none, whether more VMs are on
/// their way (the thin client's 002 "try again after 5 minutes" rather than 003), and the reason in a user's words.
/// </summary>
[GenerateSerializer, Immutable, Alias("VmTake")]
public sealed record VmTake(
    [property: Id(0)] Guid? VmId,
    [property: Id(1)] NoVmReason? Reason = null,
    [property: Id(2)] bool MoreComing = false,
    [property: Id(3)] string Explanation = "")
{
    public static VmTake Of(Guid vm) => new(vm);
}
