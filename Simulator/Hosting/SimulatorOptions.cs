using System.ComponentModel.DataAnnotations;

namespace Vdi.Simulator.Hosting;

/// <summary>How this simulated ECP VeiL controller presents itself and how fast it works.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>The integration key clients send as <c>Authorization: jwt &lt;key&gt;</c>.</summary>
    [Required(ErrorMessage = "Simulator:Token is required"), MinLength(8, ErrorMessage = "Simulator:Token must be at least 8 characters")]
    public string Token { get; set; } = "";

    /// <summary>The ECP version reported by <c>controllers/base-version/</c>.</summary>
    [Required, RegularExpression(@"^\d+\.\d+\.\d+$", ErrorMessage = "Simulator:Version must look like 4.7.3")]
    public string Version { get; set; } = "4.7.3";

    /// <summary>Seeds the ids: two simulators with different names are different controllers.</summary>
    [Required(ErrorMessage = "Simulator:Name is required")]
    public string Name { get; set; } = "sim-1";

    /// <summary>The inventory to start with (clusters, nodes, pools, templates, VMs); relative to the content root.</summary>
    [Required]
    public string InventoryFile { get; set; } = "inventory.json";

    /// <summary>How long an asynchronous operation (power action, preparation, removal) takes.</summary>
    [Range(0, 600_000)]
    public int TaskMilliseconds { get; set; } = 1500;

    /// <summary>How long cloning takes per VM in a multi-create.</summary>
    [Range(0, 600_000)]
    public int ClonePerVmMilliseconds { get; set; } = 300;

    /// <summary>How long after power-on the guest agent reports an IPv4 address.</summary>
    [Range(0, 600_000)]
    public int GuestAgentMilliseconds { get; set; } = 3000;

    /// <summary>
    /// Where the simulator keeps the domains and tags that exist beyond its inventory file (clones, power states,
    /// tags), so that a restarted simulator still has the VMs a broker created on it, as a real controller would;
    /// relative to the content root. Empty: in memory only (tests).
    /// </summary>
    public string StateFile { get; set; } = "";

    /// <summary>The address SPICE clients are sent to (the controller itself for SPICE).</summary>
    public string SpiceHost { get; set; } = "127.0.0.1";
}
