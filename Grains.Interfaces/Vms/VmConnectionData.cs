namespace Vdi.Grains.Interfaces.Vms;

/// <summary>Where a thin client connects for a protocol (§3.2).</summary>
[GenerateSerializer, Immutable, Alias("VmConnectionData")]
public sealed record VmConnectionData(
    [property: Id(0)] string Host,
    [property: Id(1)] int Port,
    [property: Id(2)] string? Token,
    [property: Id(3)] string? Password,
    [property: Id(4)] string VmVerboseName,
    [property: Id(5)] string ControllerAddress);
