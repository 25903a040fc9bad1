using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Vdi.Simulator.Events;
using Vdi.Simulator.Hosting;

namespace Vdi.Simulator.Inventory;

/// <summary>
/// The controller's world: clusters, nodes, pools, templates and VMs. Domains change only under one lock, and every
/// change is published on the event stream after the lock is released.
/// </summary>
public sealed class SimInventory
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, SimDomain> _domains = [];
    private readonly EventHub _hub;
    private readonly string _simulator;
    private readonly string _spiceHost;
    private int _nextIndex;
    private long _changes;

    public SimInventory(IOptions<SimulatorOptions> options, IHostEnvironment env, EventHub hub)
    {
        _hub = hub;
        _simulator = options.Value.Name;
        _spiceHost = options.Value.SpiceHost;
        var path = Path.Combine(env.ContentRootPath, options.Value.InventoryFile);
        if (!File.Exists(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, options.Value.InventoryFile);
        }

        var seed = JsonSerializer.Deserialize<InventorySeed>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException($"inventory file {path} is empty");
        Load(seed);
    }

    public IReadOnlyList<SimCluster> Clusters { get; private set; } = [];
    public IReadOnlyList<SimNode> Nodes { get; private set; } = [];
    public IReadOnlyList<SimResourcePool> ResourcePools { get; private set; } = [];
    public IReadOnlyList<SimDataPool> DataPools { get; private set; } = [];

    public string ControllerAddress => _spiceHost;

    /// <summary>Snapshots (JSON-ready dictionaries) of the domains that match.</summary>
    public List<Dictionary<string, object?>> Query(Func<SimDomain, bool> filter)
    {
        lock (_gate)
        {
            return [.. _domains.Values.Where(filter).Select(Represent)];
        }
    }

    public Dictionary<string, object?>? Find(Guid id)
    {
        lock (_gate)
        {
            return _domains.TryGetValue(id, out var d) ? Represent(d) : null;
        }
    }

    public bool Exists(Guid id)
    {
        lock (_gate)
        {
            return _domains.ContainsKey(id);
        }
    }

    /// <summary>Applies a change to one domain and publishes it; false when the domain does not exist.</summary>
    public bool Update(Guid id, Action<SimDomain> change)
    {
        Dictionary<string, object?> after;
        Dictionary<string, object?>? node = null;
        lock (_gate)
        {
            if (!_domains.TryGetValue(id, out var domain))
            {
                return false;
            }

            var power = domain.PowerState;
            change(domain);
            after = Represent(domain);
            if (domain.PowerState != power && Nodes.FirstOrDefault(n => n.Id == domain.NodeId) is { } host)
            {
                node = RepresentNodeLocked(host); // its load changed, as the controller reports on /nodes/
            }

            _changes++;
        }

        _hub.Publish("/domains/", "UPDATED", id, after);
        if (node is not null)
        {
            _hub.Publish("/nodes/", "UPDATED", (Guid)node["id"]!, node);
        }

        return true;
    }

    /// <summary>Reads a value from a domain under the lock.</summary>
    public T? Read<T>(Guid id, Func<SimDomain, T> read)
    {
        lock (_gate)
        {
            return _domains.TryGetValue(id, out var d) ? read(d) : default;
        }
    }

    /// <summary>
    /// Clones a template or VM under a given id (the broker pre-generates ids); false if the id is taken. With
    /// <paramref name="numbered"/>, the name is a prefix and the clone gets the next free <c>prefix-N</c>, as ECP
    /// numbers multi-created domains.
    /// </summary>
    public bool Clone(Guid parentId, Guid id, string name, bool thin, Guid? resourcePool, bool numbered = false)
    {
        Dictionary<string, object?> created;
        lock (_gate)
        {
            if (_domains.ContainsKey(id) || !_domains.TryGetValue(parentId, out var parent))
            {
                return false;
            }

            if (numbered)
            {
                var taken = _domains.Values.Select(d => d.VerboseName)
                    .Where(n => n.StartsWith(name + "-", StringComparison.Ordinal))
                    .Select(n => int.TryParse(n[(name.Length + 1)..], out var k) ? k : 0);
                name = $"{name}-{taken.DefaultIfEmpty(0).Max() + 1}";
            }

            var domain = NewDomain(id, name, template: false, parent.OsType, resourcePool ?? parent.ResourcePoolId,
                parent.NodeId, parent.DataPoolId, parentId, thin);
            _domains[id] = domain;
            created = Represent(domain);
            _changes++;
        }

        _hub.Publish("/domains/", "CREATED", id, created);
        return true;
    }

    /// <summary>Drops a domain without publishing anything (the simulator's fault controls).</summary>
    public bool Forget(Guid id)
    {
        lock (_gate)
        {
            if (!_domains.Remove(id))
            {
                return false;
            }

            _changes++;
            return true;
        }
    }

    public bool Remove(Guid id)
    {
        Dictionary<string, object?> removed;
        lock (_gate)
        {
            if (!_domains.Remove(id, out var domain))
            {
                return false;
            }

            removed = Represent(domain);
            _changes++;
        }

        _hub.Publish("/domains/", "DELETED", id, removed);
        return true;
    }

    /// <summary>Counts the changes to the domains, for the state file's saver.</summary>
    public long Changes
    {
        get
        {
            lock (_gate)
            {
                return _changes;
            }
        }
    }

    /// <summary>Every domain as JSON, taken under the lock (the state file's content).</summary>
    public JsonElement Snapshot(JsonSerializerOptions json)
    {
        lock (_gate)
        {
            return JsonSerializer.SerializeToElement(_domains.Values.OrderBy(d => d.VerboseName, StringComparer.Ordinal), json);
        }
    }

    /// <summary>Replaces the domains with those of a state file (the inventory's clusters, nodes and pools stay).</summary>
    public void Restore(IReadOnlyCollection<SimDomain> domains)
    {
        lock (_gate)
        {
            _domains.Clear();
            foreach (var d in domains)
            {
                _domains[d.Id] = d;
            }

            _nextIndex = domains.Count == 0 ? 0 : domains.Max(d => d.RemoteAccessPort - 5900) + 1;
        }
    }

    private void Load(InventorySeed seed)
    {
        var clusters = new List<SimCluster>();
        var nodes = new List<SimNode>();
        var resourcePools = new List<SimResourcePool>();
        foreach (var c in seed.Clusters)
        {
            var cluster = new SimCluster(Id("cluster", c.Name), c.Name);
            clusters.Add(cluster);
            nodes.AddRange(c.Nodes.Select(n => new SimNode(Id("node", n.Name), n.Name, cluster.Id, n.ManagementIp)));
            resourcePools.AddRange(c.ResourcePools.Select(r => new SimResourcePool(Id("resource-pool", r), r, cluster.Id)));
        }

        Clusters = clusters;
        Nodes = nodes;
        ResourcePools = resourcePools;
        DataPools = [.. seed.DataPools.Select(d => new SimDataPool(Id("data-pool", d.Name), d.Name, d.Type, d.FreeSpaceMb))];

        var nodeIndex = 0;
        foreach (var (d, template) in seed.Templates.Select(t => (t, true)).Concat(seed.Vms.Select(v => (v, false))))
        {
            var rp = resourcePools.Single(r => r.VerboseName == d.ResourcePool);
            var dp = DataPools.Single(p => p.VerboseName == d.DataPool);
            var node = nodes.Where(n => n.ClusterId == rp.ClusterId).ElementAt(nodeIndex++ % nodes.Count(n => n.ClusterId == rp.ClusterId));
            var domain = NewDomain(Id("domain", d.Name), d.Name, template, d.OsType, rp.Id, node.Id, dp.Id, parent: null, thin: false);
            if (d.PoweredOn && !template)
            {
                domain.PowerState = PowerState.On;
                domain.GuestAgentUp = true;
                domain.RemoteAccess = true;
            }

            domain.PublishedApps.AddRange(d.PublishedApps.Select(f => (f.Farm, f.Apps.ToList())));
            _domains[domain.Id] = domain;
        }
    }

    /// <summary>A node as the API shows it, with its load: how many VMs on it are powered on.</summary>
    public Dictionary<string, object?> RepresentNode(SimNode n)
    {
        lock (_gate)
        {
            return RepresentNodeLocked(n);
        }
    }

    private Dictionary<string, object?> RepresentNodeLocked(SimNode n) =>
        Vdi.Simulator.Api.Paging.Fields(("id", n.Id), ("verbose_name", n.VerboseName), ("status", "ACTIVE"), ("cluster", n.ClusterId),
            ("management_ip", n.ManagementIp), ("domains_on_count", _domains.Values.Count(d => d.NodeId == n.Id && !d.Template && d.PowerState == PowerState.On)));

    private SimDomain NewDomain(Guid id, string name, bool template, string osType, Guid resourcePool, Guid node,
        Guid dataPool, Guid? parent, bool thin)
    {
        var index = _nextIndex++;
        return new SimDomain
        {
            Id = id,
            VerboseName = name,
            Template = template,
            OsType = osType,
            ResourcePoolId = resourcePool,
            NodeId = node,
            DataPoolId = dataPool,
            ParentId = parent,
            Thin = thin,
            RemoteAccessPort = 5900 + index,
            GraphicsPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant(),
            Ipv4 = $"10.{10 + index / 62500 % 200}.{index / 250 % 250}.{index % 250 + 2}",
        };
    }

    private Guid Id(string kind, string name) => StableIds.For(_simulator, kind, name);

    private Dictionary<string, object?> Represent(SimDomain d)
    {
        var node = Nodes.FirstOrDefault(n => n.Id == d.NodeId);
        var rp = ResourcePools.FirstOrDefault(r => r.Id == d.ResourcePoolId);
        var parent = d.ParentId is { } p && _domains.TryGetValue(p, out var pd) ? new { id = pd.Id, verbose_name = pd.VerboseName } : null;
        return new Dictionary<string, object?>
        {
            ["id"] = d.Id,
            ["verbose_name"] = d.VerboseName,
            ["status"] = d.Status,
            ["user_power_state"] = (int)d.PowerState,
            ["template"] = d.Template,
            ["thin"] = d.Thin,
            ["os_type"] = d.OsType,
            ["os_version"] = d.OsType == "Windows" ? "Windows 10" : "Astra Linux",
            ["resource_pool"] = rp is null ? null : new { id = rp.Id, verbose_name = rp.VerboseName },
            ["node"] = node is null ? null : new { id = node.Id, verbose_name = node.VerboseName },
            ["datapool"] = d.DataPoolId,
            ["parent"] = parent,
            ["remote_access"] = d.RemoteAccess,
            ["remote_access_port"] = d.RemoteAccess ? d.RemoteAccessPort : null,
            ["real_remote_access_port"] = d.RemoteAccess ? d.RemoteAccessPort : null,
            ["graphics_password"] = d.GraphicsPassword,
            ["guest_utils"] = new
            {
                veil_state = d.GuestAgentUp,
                qemu_state = d.GuestAgentUp,
                version = "2.2.0",
                hostname = d.Hostname,
                ipv4 = d.GuestAgentUp ? new[] { d.Ipv4 } : [],
            },
            ["tags"] = d.Tags.ToArray(),
            ["usb_devices"] = d.UsbDevices.ToArray(),
            ["cpu_count"] = 2,
            ["memory_count"] = 4096,
        };
    }
}
