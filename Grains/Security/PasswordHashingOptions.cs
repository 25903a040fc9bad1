using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Security;

/// <summary>Where password hashing runs: how many dedicated threads (0: one per core).</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "Security:PasswordHashing";

    [Range(0, 256, ErrorMessage = "Security:PasswordHashing:Threads must be 0 (one per core) to 256")]
    public int Threads { get; set; }
}
