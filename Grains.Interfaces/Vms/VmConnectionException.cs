namespace Vdi.Grains.Interfaces.Vms;

/// <summary>Why a VM could not be made ready: the original's codes 004 (unreachable), 005 (timeout), 007 (protocol).</summary>
[GenerateSerializer, Alias("VmConnectionException")]
public sealed class VmConnectionException(string code, string message, bool vmGone = false) : Exception(message)
{
    [Id(0)]
    public string Code { get; } = code;

    /// <summary>The controller no longer has the VM (the broker has marked it FAILED): another VM is the only way on.</summary>
    [Id(1)]
    public bool VmGone { get; } = vmGone;
}
