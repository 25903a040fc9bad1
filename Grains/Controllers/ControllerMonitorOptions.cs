using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Controllers;

/// <summary>How controllers are watched (section <c>Controllers</c>); the defaults are the original's.</summary>
public sealed class ControllerMonitorOptions
{
    public const string Section = "Controllers";

    /// <summary>How often an ACTIVE controller is checked, and a FAILED one re-checked.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Controllers:HealthCheckInterval must be 100 ms to 1 hour")]
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the event-stream listener waits before reconnecting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Controllers:ReconnectInterval must be 100 ms to 1 hour")]
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The durable reminder that brings a controller grain (and so its listener) back on another silo when its silo
    /// dies. Orleans' minimum is one minute; tests lower both.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Controllers:KeepAlivePeriod must be 1 s to 1 hour (Orleans raises it to its minimum reminder period)")]
    public TimeSpan KeepAlivePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often keep-on pools' assigned VMs are checked on the controller (the original's 60 s safety net).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Controllers:KeepOnReconcileInterval must be 1 s to 1 hour")]
    public TimeSpan KeepOnReconcileInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long resource lists for the admin are cached.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Controllers:ResourceCacheTtl must be 0 to 1 hour")]
    public TimeSpan ResourceCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The oldest ECP version the broker works with.</summary>
    [Required(ErrorMessage = "Controllers:MinimumVersion must be a version such as 4.3")]
    public Version MinimumVersion { get; set; } = new(4, 3);
}
