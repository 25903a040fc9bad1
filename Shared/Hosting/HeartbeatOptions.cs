using System.ComponentModel.DataAnnotations;

namespace Vdi.Shared.Hosting;

/// <summary>How often each silo and gateway reports itself for the services page (section <c>Services</c>).</summary>
public sealed class HeartbeatOptions
{
    public const string Section = "Services";

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Services:HeartbeatInterval must be 1 second to 10 minutes")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A row not seen for this long is removed (a process that died long ago, an old silo generation).</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00", ErrorMessage = "Services:KeepStoppedFor must be 10 minutes to 30 days")]
    public TimeSpan KeepStoppedFor { get; set; } = TimeSpan.FromDays(1);
}
