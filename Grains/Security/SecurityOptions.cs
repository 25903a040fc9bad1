using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Security;

/// <summary>Password security (section <c>Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>The lowest PBKDF2-HMAC-SHA512 cost a hash may be made with (benchmarks use it; the product's default is ten times more).</summary>
    public const int MinimumIterations = 10_000;

    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations for new password hashes: it trades login CPU (the 9:00 storm) against brute-force
    /// cost. Null keeps ASP.NET Core Identity's default (100,000).
    /// </summary>
    [Range(MinimumIterations, 10_000_000, ErrorMessage = "Security:PasswordHashIterations must be 10,000 to 10,000,000 (PBKDF2-HMAC-SHA512 iterations; the default is 100,000)")]
    public int? PasswordHashIterations { get; set; }

    /// <summary>The hashing threads (section <c>Security:PasswordHashing</c>, bound on its own as <see cref="PasswordHashingOptions"/>).</summary>
    public PasswordHashingOptions PasswordHashing { get; set; } = new();
}
