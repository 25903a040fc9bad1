using System.ComponentModel.DataAnnotations;

namespace Vdi.Silo.Options;

/// <summary>This silo's endpoints and runtime knobs.</summary>
public sealed class SiloHostOptions
{
    public const string Section = "Silo";

    /// <summary>The HTTP address of the dashboard and health endpoints when no <c>Urls</c> is configured.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8090";

    /// <summary>The address other silos and gateways use to reach this one.</summary>
    [Required]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    [Range(1, 65535, ErrorMessage = "Silo:SiloPort must be a TCP port (1-65535)")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Silo:GatewayPort must be a TCP port (1-65535)")]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// How often the dashboard samples the cluster's meters (its charts keep 100 samples: 8 minutes at the default). Each
    /// sample reads every meter of the silo, the largest part of an idle silo's CPU at the dashboard's own 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Silo:DashboardSampleInterval must be 1 s to 1 minute")]
    public TimeSpan DashboardSampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a signed-in operator's account is read again by the dashboard's cookie (a deactivated or demoted
    /// operator is out within this long).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Silo:DashboardRecheck must be 0 to 1 hour")]
    public TimeSpan DashboardRecheck { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Dashboard sign-ins per minute from one address (429 with Retry-After beyond it).</summary>
    [Range(1, 100_000, ErrorMessage = "Silo:DashboardLoginsPerMinutePerAddress must be 1 to 100,000")]
    public int DashboardLoginsPerMinutePerAddress { get; set; } = 30;

    /// <summary>Dashboard sign-ins per minute for one username.</summary>
    [Range(1, 100_000, ErrorMessage = "Silo:DashboardLoginsPerMinutePerUsername must be 1 to 100,000")]
    public int DashboardLoginsPerMinutePerUsername { get; set; } = 10;

    /// <summary>Lower than Orleans' one minute only for tests and benchmarks.</summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }
}
