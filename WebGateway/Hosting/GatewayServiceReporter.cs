using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vdi.Shared.Hosting;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// A gateway's line on the services page: where it listens, its readiness (the cluster answers, it is not draining)
/// and the thin-client sockets it holds.
/// </summary>
public sealed class GatewayServiceReporter(IServer server, HealthCheckService health, LocalClients clients, GatewayDrain drain) : IServiceReporter
{
    public string Kind => "gateway";

    /// <summary>The first address Kestrel listens on (the instance's identity: vdi-web@PORT).</summary>
    public string Address =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() is { } first && Uri.TryCreate(first, UriKind.Absolute, out var uri)
            ? $"{uri.Host}:{uri.Port}"
            : Environment.MachineName;

    public async Task<ServiceReport> ReportAsync(CancellationToken cancellationToken)
    {
        var ready = await health.CheckHealthAsync(c => c.Tags.Contains("ready"), cancellationToken);
        var status = drain.Draining ? "DRAINING" : ready.Status.ToString().ToUpperInvariant();
        var address = Address;
        return new ServiceReport($"{Environment.MachineName}:{address.Split(':').Last()}", address, status, new Dictionary<string, object?>
        {
            ["connected_clients"] = clients.Count,
        });
    }
}
