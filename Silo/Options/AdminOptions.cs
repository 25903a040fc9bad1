namespace Vdi.Silo.Options;

/// <summary>The initial administrator, created once when no user of that name exists.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string Username { get; set; } = "vdiadmin";

    /// <summary>Needed only until the administrator exists; never logged.</summary>
    public string Password { get; set; } = "";
}
