namespace Vdi.Simulator.Inventory;

/// <summary>A hypervisor cluster.</summary>
public sealed record SimCluster(Guid Id, string VerboseName);

/// <summary>A hypervisor node; SPICE_DIRECT connects to its management IP.</summary>
public sealed record SimNode(Guid Id, string VerboseName, Guid ClusterId, string ManagementIp);

/// <summary>A resource pool VMs are placed in.</summary>
public sealed record SimResourcePool(Guid Id, string VerboseName, Guid ClusterId);

/// <summary>A storage pool disks are placed on.</summary>
public sealed record SimDataPool(Guid Id, string VerboseName, string Type, long FreeSpaceMb);
