namespace Vdi.Simulator.Inventory;

/// <summary>The shape of inventory.json: names only; ids are derived from the simulator's name.</summary>
public sealed class InventorySeed
{
    public List<ClusterSeed> Clusters { get; set; } = [];
    public List<DataPoolSeed> DataPools { get; set; } = [];
    public List<DomainSeed> Templates { get; set; } = [];
    public List<DomainSeed> Vms { get; set; } = [];

    public sealed class ClusterSeed
    {
        public string Name { get; set; } = "";
        public List<NodeSeed> Nodes { get; set; } = [];
        public List<string> ResourcePools { get; set; } = [];
    }

    public sealed class NodeSeed
    {
        public string Name { get; set; } = "";
        public string ManagementIp { get; set; } = "";
    }

    public sealed class DataPoolSeed
    {
        public string Name { get; set; } = "";
        public string Type { get; set; } = "local";
        public long FreeSpaceMb { get; set; } = 1_000_000;
    }

    public sealed class DomainSeed
    {
        public string Name { get; set; } = "";
        public string OsType { get; set; } = "Linux";
        public string ResourcePool { get; set; } = "";
        public string DataPool { get; set; } = "";
        public bool PoweredOn { get; set; }
        /// <summary>An RDS host's published applications, by farm (what its guest utilities' script reports).</summary>
        public List<FarmSeed> PublishedApps { get; set; } = [];
    }

    public sealed class FarmSeed
    {
        public string Farm { get; set; } = "";
        public List<string> Apps { get; set; } = [];
    }
}
