using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Vdi.Shared.Hosting;
using Vdi.Shared.Options;

namespace Vdi.Shared.Telemetry;

/// <summary>
/// OpenTelemetry for a silo or gateway: ASP.NET Core, HTTP client (the ECP calls), runtime, Npgsql and Orleans meters
/// plus the broker's own (<c>Vdi.*</c>), scraped by Prometheus at <see cref="TelemetryOptions.PrometheusPath"/> and
/// exported over OTLP when a collector is configured, with traces across gateway, grains and ECP calls.
/// </summary>
public static class BrokerTelemetry
{
    /// <summary>The broker's meters and activity sources: Vdi.Gateway, Vdi.Tasks, Vdi.Broker, Vdi.Security ...</summary>
    public const string Prefix = "Vdi.*";

    public static WebApplicationBuilder AddBrokerTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddSection<TelemetryOptions>(builder.Configuration, TelemetryOptions.Section);
        var o = SectionOptions.Read<TelemetryOptions>(builder.Configuration, TelemetryOptions.Section);
        var otlp = string.IsNullOrWhiteSpace(o.OtlpEndpoint) ? null : new Uri(o.OtlpEndpoint);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceVersion: ServiceHeartbeat.Version, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                    .AddMeter("Microsoft.Orleans").AddMeter("Npgsql").AddMeter(Prefix)
                    .AddPrometheusExporter();
                if (otlp is not null)
                {
                    m.AddOtlpExporter(e => e.Endpoint = otlp);
                }
            });
        if (otlp is not null)
        {
            otel.WithTracing(t => t
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(o.TraceSampleRatio)))
                .AddAspNetCoreInstrumentation(a => a.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments(o.PrometheusPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", Prefix)
                .AddOtlpExporter(e => e.Endpoint = otlp));
        }

        return builder;
    }

    /// <summary>
    /// The scrape endpoint: open to the management networks and to a scraper with the token, 403 to anyone else (it
    /// is outside the broker's sign-in: Prometheus has no broker account).
    /// </summary>
    public static WebApplication MapBrokerMetrics(this WebApplication app)
    {
        var o = SectionOptions.Read<TelemetryOptions>(app.Configuration, TelemetryOptions.Section);
        var networks = (o.ScrapeNetworks.Length == 0 ? ["127.0.0.1/32", "::1/128"] : o.ScrapeNetworks).Select(IPNetwork.Parse).ToArray();
        var token = o.ScrapeToken.Length > 0 ? SHA256.HashData(Encoding.UTF8.GetBytes(o.ScrapeToken)) : null;
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.Equals(o.PrometheusPath, StringComparison.Ordinal) && !Allowed(http, networks, token))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            await next(http);
        });
        app.MapPrometheusScrapingEndpoint(o.PrometheusPath).AllowAnonymous();
        return app;
    }

    private static bool Allowed(HttpContext http, IPNetwork[] networks, byte[]? token)
    {
        if (token is not null && http.Request.Headers.Authorization.ToString() is { Length: > 7 } header
            && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), token))
        {
            return true;
        }

        var peer = http.Connection.RemoteIpAddress;
        if (peer is null)
        {
            return false;
        }

        peer = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        return networks.Any(n => n.Contains(peer));
    }
}
