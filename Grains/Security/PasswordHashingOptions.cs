using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Security;

/// <summary>Where password hashing runs: how many dedicated threads (0: one per core).</summary>
public sealed class PasswordHashingOptions
{
    public const string Section = "Security:PasswordHashing";

    [Range(0, 256, ErrorMessage = "Security:PasswordHashing:Threads must be 0 (one per core) to 256")]
    public int Threads { get; set; }

    /// <summary>
    /// The most verifications waiting for a thread. Beyond it a login is refused at once with 503 (the broker is busy)
    /// instead of queueing behind work nobody would wait for, so a password spray cannot push real logins minutes back.
    /// The default holds a 9:00 burst of a few thousand clients; at 70 ms a hash on 2 cores, 5,000 waiting is about 3 min.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Security:PasswordHashing:MaxQueued must be 1 to 1,000,000")]
    public int MaxQueued { get; set; } = 5000;
}
