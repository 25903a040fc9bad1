using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Hosting;

/// <summary>How a stopping gateway drains (section <c>Drain</c>); the units' <c>TimeoutStopSec</c> is longer than both together.</summary>
public sealed class DrainOptions
{
    public const string Section = "Drain";

    /// <summary>
    /// How long the gateway answers "not ready" and refuses new logins and sockets before it closes its thin clients'
    /// sockets: the time a load balancer needs to notice /health/ready failing and send new clients elsewhere.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Drain:ReadinessDelay must be 0 to 60 seconds")]
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long it waits for the closed sockets' clients to answer the close before the server stops.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Drain:SocketTimeout must be 0 to 60 seconds")]
    public TimeSpan SocketTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// A gateway that is stopping (SIGTERM from systemd, a rolling upgrade) stops taking new logins and sockets, tells
/// load balancers it is not ready, then closes every thin-client socket with 1001 so that VeiL Connect reconnects,
/// with the same token, to another instance. Nothing is done to any desktop: the sessions end as "socket closed",
/// and a VM is acted on only by its own evidence (decision 0016).
/// </summary>
public sealed partial class GatewayDrain(LocalClients clients, IOptions<DrainOptions> options, TimeProvider time, ILogger<GatewayDrain> logger)
    : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var o = options.Value;
        LogDraining(logger, clients.Count, o.ReadinessDelay.TotalSeconds);
        try
        {
            await Task.Delay(o.ReadinessDelay, time, cancellationToken);
            foreach (var client in clients.All())
            {
                client.GoAway();
            }

            var deadline = time.GetUtcNow() + o.SocketTimeout;
            while (clients.Count > 0 && time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // the host's shutdown timeout ran out: the server aborts what is left
        }

        LogDrained(logger, clients.Count);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // Degraded, not Unhealthy: a planned stop is no error in the log (the health check service logs Unhealthy as
        // one); /health/ready answers 503 for Degraded too, so a load balancer still takes the gateway out
        Task.FromResult(_draining ? HealthCheckResult.Degraded("the gateway is stopping") : HealthCheckResult.Healthy());

    /// <summary>New logins and sockets while draining: 503 with Retry-After, so a client tries again (elsewhere).</summary>
    public static bool Refuses(HttpContext http)
    {
        var path = http.Request.Path;
        return http.RequestServices.GetRequiredService<GatewayDrain>().Draining
            && (path.StartsWithSegments("/auth") || path.StartsWithSegments("/api/auth") || path.StartsWithSegments("/sso")
                || path.StartsWithSegments("/api/sso") || path.StartsWithSegments("/ws") || path.StartsWithSegments("/api/ws"));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = LogEvents.GatewayDraining, Level = LogLevel.Information,
        Message = "The gateway is stopping: new logins refused, not ready; {Sockets} thin-client sockets close in {Delay} s")]
    private static partial void LogDraining(ILogger logger, int sockets, double delay);

    [LoggerMessage(EventId = LogEvents.GatewayDrained, Level = LogLevel.Information, Message = "The gateway drained; {Left} sockets left to the server's stop")]
    private static partial void LogDrained(ILogger logger, int left);
}
