namespace Vdi.WebGateway.Hosting;

/// <summary>
/// What the gateway tells clients about the broker (section <c>Broker</c>) and the oldest client it accepts. The
/// thin-client limit is a run-time setting (default: the silo's <c>ThinClients:Limit</c>).
/// </summary>
public sealed class BrokerOptions
{
    public const string Section = "Broker";

    public string Name { get; set; } = "VeiL VDI";

    public string Language { get; set; } = "ru";

    /// <summary>Reported by /version; VeiL Connect needs more than 4.1.0 for its current protocol.</summary>
    public string Version { get; set; } = "4.2.0";

    /// <summary>The oldest VeiL Connect accepted (the original's MINIMUM_SUPPORTED_DESKTOP_THIN_CLIENT_VERSION).</summary>
    public string MinimumClientVersion { get; set; } = "1.14.6";

    /// <summary>Where the panel links operators to the Orleans dashboard (a silo's HTTP port).</summary>
    public string DashboardUrl { get; set; } = "http://127.0.0.1:8090/dashboard/";
}
