using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Notifications;

/// <summary>How notifications are sent (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>The waits between the attempts of one message (three attempts after the first by default).</summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>Messages waiting to be sent; beyond it new events are not sent (counted), never blocking the journal.</summary>
    [Range(10, 1_000_000, ErrorMessage = "Notifications:QueueLimit must be 10 to 1,000,000")]
    public int QueueLimit { get; set; } = 10_000;

    /// <summary>How long the dispatcher keeps the channels' settings before reading them again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Notifications:SettingsCacheTtl must be 0 to 10 minutes")]
    public TimeSpan SettingsCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>One attempt's deadline (connect, send).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Notifications:Timeout must be 1 s to 5 minutes")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public IReadOnlyList<TimeSpan> Delays => RetryDelays.Length > 0 ? RetryDelays : [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];
}
