using System.ComponentModel.DataAnnotations;

namespace Vdi.Simulator.Hosting;

/// <summary>How this simulated ECP VeiL controller presents itself.</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>The integration key clients send as <c>Authorization: jwt &lt;key&gt;</c>.</summary>
    [Required(ErrorMessage = "Simulator:Token is required"), MinLength(8, ErrorMessage = "Simulator:Token must be at least 8 characters")]
    public string Token { get; set; } = "";

    /// <summary>The ECP version reported by <c>controllers/base-version/</c>.</summary>
    [Required, RegularExpression(@"^\d+\.\d+\.\d+$", ErrorMessage = "Simulator:Version must look like 4.7.3")]
    public string Version { get; set; } = "4.7.3";
}
