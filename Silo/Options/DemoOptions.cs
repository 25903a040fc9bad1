using System.ComponentModel.DataAnnotations;

namespace Vdi.Silo.Options;

/// <summary>
/// A ready-to-use demo (section <c>Demo</c>): an automated pool "demo" on the default controller and a user "demo"
/// entitled to it, created if missing. <c>scripts/run.sh</c> turns it on, so VeiL Connect can log in at once.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    [Required(AllowEmptyStrings = false, ErrorMessage = "Demo:PoolName must not be empty")]
    [StringLength(128, ErrorMessage = "Demo:PoolName must be at most 128 characters")]
    public string PoolName { get; set; } = "demo";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Demo:Username must not be empty")]
    public string Username { get; set; } = "demo";

    /// <summary>The demo user's password; never logged.</summary>
    public string Password { get; set; } = "";

    [Range(1, 100, ErrorMessage = "Demo:Vms must be 1 to 100")]
    public int Vms { get; set; } = 3;
}
