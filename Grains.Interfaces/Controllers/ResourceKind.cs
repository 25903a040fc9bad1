namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>What can be browsed on a controller.</summary>
[GenerateSerializer, Alias("ResourceKind")]
public enum ResourceKind
{
    Clusters = 0,
    Nodes = 1,
    ResourcePools = 2,
    DataPools = 3,
    Templates = 4,
    Vms = 5,
}
