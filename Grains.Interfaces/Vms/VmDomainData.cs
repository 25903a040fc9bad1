namespace Vdi.Grains.Interfaces.Vms;

/// <summary>The controller's record of a VM (JSON as the controller sent it) and where its SPICE console is.</summary>
[GenerateSerializer, Immutable, Alias("VmDomainData")]
public sealed record VmDomainData(
    [property: Id(0)] string DomainJson,
    [property: Id(1)] string ControllerAddress,
    [property: Id(2)] string SpiceAddress,
    [property: Id(3)] int SpicePort);
