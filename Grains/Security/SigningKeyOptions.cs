using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Security;

/// <summary>The JWT signing key's schedule (section <c>Security:SigningKey</c>).</summary>
public sealed class SigningKeyOptions
{
    public const string Section = "Security:SigningKey";

    /// <summary>How long a key signs new tokens before it is replaced; at least two days, so one previous key is ever needed.</summary>
    [Range(typeof(TimeSpan), "2.00:00:00", "365.00:00:00", ErrorMessage = "Security:SigningKey:Rotation must be 2 to 365 days")]
    public TimeSpan Rotation { get; set; } = TimeSpan.FromDays(30);
}
