using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vdi.Shared.Hosting;

namespace Vdi.Silo.Hosting;

/// <summary>
/// A silo's line on the services page: its Orleans name and address, its health (its own checks: Postgres, Redis),
/// its activations, the cluster clients (gateways) connected to it, CPU and memory.
/// </summary>
public sealed class SiloServiceReporter(ILocalSiloDetails silo, IGrainFactory grains, HealthCheckService health) : IServiceReporter
{
    public string Kind => "silo";

    public async Task<ServiceReport> ReportAsync(CancellationToken cancellationToken)
    {
        var checks = await health.CheckHealthAsync(cancellationToken);
        var details = new Dictionary<string, object?>();
        try
        {
            var statistics = (await grains.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([silo.SiloAddress])).Single();
            details["activations"] = statistics.ActivationCount;
            details["clients"] = statistics.ClientCount;
            details["cpu_percent"] = Math.Round(statistics.EnvironmentStatistics.FilteredCpuUsagePercentage, 1);
            details["memory_mb"] = statistics.EnvironmentStatistics.FilteredMemoryUsageBytes / (1024 * 1024);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or SiloUnavailableException or InvalidOperationException)
        {
            // a silo that is joining or leaving still reports its health; the figures come with the next report
        }

        return new ServiceReport(silo.Name, silo.SiloAddress.ToString(), checks.Status.ToString().ToUpperInvariant(), details);
    }
}
