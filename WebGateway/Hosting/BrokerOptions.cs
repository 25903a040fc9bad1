using System.ComponentModel.DataAnnotations;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// What the gateway tells clients about the broker (section <c>Broker</c>) and the oldest client it accepts. The
/// thin-client limit is a run-time setting (default: the silo's <c>ThinClients:Limit</c>).
/// </summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Broker:Name must not be empty")]
    public string Name { get; set; } = "VeiL VDI";

    [RegularExpression("^(ru|en)$", ErrorMessage = "Broker:Language must be ru or en")]
    public string Language { get; set; } = "ru";

    /// <summary>Reported by /version; VeiL Connect needs more than 4.1.0 for its current protocol.</summary>
    [RegularExpression(@"^\d+\.\d+(\.\d+)?$", ErrorMessage = "Broker:Version must be a version such as 4.2.0")]
    public string Version { get; set; } = "4.2.0";

    /// <summary>The oldest VeiL Connect accepted (the original's MINIMUM_SUPPORTED_DESKTOP_THIN_CLIENT_VERSION).</summary>
    [RegularExpression(@"^\d+\.\d+(\.\d+){0,2}$", ErrorMessage = "Broker:MinimumClientVersion must be a version such as 1.14.6")]
    public string MinimumClientVersion { get; set; } = "1.14.6";

    /// <summary>Where the panel links operators to the Orleans dashboard (a silo's HTTP port).</summary>
    [Url(ErrorMessage = "Broker:DashboardUrl must be an absolute URL")]
    public string DashboardUrl { get; set; } = "http://127.0.0.1:8090/dashboard/";

    /// <summary>
    /// How long a token this gateway found current stays accepted while its user's grain cannot be read (a silo died,
    /// the database is down); 0: never (an outage answers 503 instead). A replaced token or a deactivated user is
    /// refused as soon as the grain answers again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Broker:TokenCheckGrace must be 0 to 10 minutes")]
    public TimeSpan TokenCheckGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The reverse proxies whose <c>X-Forwarded-For</c> is believed (IP addresses). Empty: none; every client's
    /// address is its connection's peer, whatever headers it sends (X-Real-IP is never read).
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Origins (scheme://host[:port]) besides the gateway's own from which a browser may open the panel's live-event
    /// socket (the panel served through another name or port by a reverse proxy).
    /// </summary>
    public string[] PanelOrigins { get; set; } = [];

    /// <summary>The most thin-client sockets one user may hold open at once (VeiL Connect holds one; a few more cover reconnects).</summary>
    [Range(1, 1000, ErrorMessage = "Broker:MaxSessionsPerUser must be 1 to 1,000")]
    public int MaxSessionsPerUser { get; set; } = 16;

    /// <summary>
    /// Messages per second one thin-client socket may send on average (VeiL Connect sends one every 5 s), with a burst
    /// of three seconds' worth; beyond it messages are refused with a control error, and a socket that keeps flooding
    /// is closed with 1008.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Broker:MessagesPerSecond must be 1 to 10,000")]
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>
    /// Logins per minute this gateway accepts from one client address (<see cref="Security.LoginThrottle"/>). It must
    /// hold a site's clients behind one NAT address, or behind a reverse proxy not listed in <see cref="TrustedProxies"/>.
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Broker:LoginsPerMinutePerAddress must be 1 to 1,000,000")]
    public int LoginsPerMinutePerAddress { get; set; } = 120;

    /// <summary>Logins per minute this gateway accepts for one username (well above a person's typing).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Broker:LoginsPerMinutePerUsername must be 1 to 1,000,000")]
    public int LoginsPerMinutePerUsername { get; set; } = 10;

    /// <summary>Retired: the thin-client limit is a run-time setting now. Still accepted so an old configuration starts (with a warning).</summary>
    public int? ThinClientLimit { get; set; }
}
