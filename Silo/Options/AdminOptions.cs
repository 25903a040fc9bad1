using System.ComponentModel.DataAnnotations;

namespace Vdi.Silo.Options;

/// <summary>The initial administrator, created once when no user of that name exists.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Admin:Username must not be empty")]
    [StringLength(150, ErrorMessage = "Admin:Username must be at most 150 characters")]
    public string Username { get; set; } = "vdiadmin";

    /// <summary>Needed only until the administrator exists; never logged.</summary>
    public string Password { get; set; } = "";
}
