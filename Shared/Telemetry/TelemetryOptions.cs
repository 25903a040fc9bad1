using System.ComponentModel.DataAnnotations;

namespace Vdi.Shared.Telemetry;

/// <summary>Metrics and traces of a silo or gateway (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Telemetry";

    /// <summary>The Prometheus scrape endpoint on the process's HTTP port (a silo's dashboard port, a gateway's port).</summary>
    [RegularExpression("^/[A-Za-z0-9/_-]*$", ErrorMessage = "Telemetry:PrometheusPath must be a path such as /metrics")]
    public string PrometheusPath { get; set; } = "/metrics";

    /// <summary>Who may scrape without a token: the management networks (CIDR). None given: this host only (127.0.0.1, ::1).</summary>
    public string[] ScrapeNetworks { get; set; } = [];

    /// <summary>A bearer token that lets a scraper in from any network (Prometheus' <c>authorization: credentials</c>); empty: none.</summary>
    [StringLength(512, ErrorMessage = "Telemetry:ScrapeToken must be at most 512 characters")]
    public string ScrapeToken { get; set; } = "";

    /// <summary>An OTLP collector (<c>http://collector:4317</c>, gRPC) for metrics and traces; empty: no export.</summary>
    [Url(ErrorMessage = "Telemetry:OtlpEndpoint must be an absolute URL")]
    public string? OtlpEndpoint { get; set; }

    /// <summary>The share of traces kept when exporting (1: all; parent decisions are followed).</summary>
    [Range(0.0, 1.0, ErrorMessage = "Telemetry:TraceSampleRatio must be 0 to 1")]
    public double TraceSampleRatio { get; set; } = 1.0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var network in ScrapeNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _))
            {
                yield return new ValidationResult($"Telemetry:ScrapeNetworks: '{network}' is not a network such as 10.0.0.0/24", [nameof(ScrapeNetworks)]);
            }
        }
    }
}
