using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vdi.Grains.Interfaces.Health;

namespace Vdi.WebGateway.Health;

/// <summary>Ready when a silo of the cluster answers a grain call through this gateway's client.</summary>
public sealed class ClusterHealthCheck(IClusterClient client) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.GetGrain<IHealthGrain>(0).PingAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy("a silo answered");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"no silo answered: {e.GetType().Name}: {e.Message}");
        }
    }
}
