using System.ComponentModel.DataAnnotations;

namespace Vdi.Silo.Options;

/// <summary>
/// A controller to register at start when none has its address yet (section <c>DefaultController</c>).
/// <c>scripts/run.sh</c> points it at the simulator, so a new installation has a working controller at once.
/// </summary>
public sealed class DefaultControllerOptions
{
    public const string Section = "DefaultController";

    [Required(AllowEmptyStrings = false, ErrorMessage = "DefaultController:Name must not be empty")]
    [StringLength(128, ErrorMessage = "DefaultController:Name must be at most 128 characters")]
    public string Name { get; set; } = "Simulator";

    /// <summary>Empty: register nothing.</summary>
    public string Address { get; set; } = "";

    /// <summary>The integration key; never logged.</summary>
    public string Token { get; set; } = "";
}
