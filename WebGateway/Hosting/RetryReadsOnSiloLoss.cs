using Orleans.Runtime;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// A read (GET) whose grain call was in flight to a silo that died, or went to it before the cluster declared it
/// dead, is repeated: reads are safe to repeat and the grain is served elsewhere within seconds. Anything else is
/// not repeated: it is answered 503 with Retry-After (<see cref="DependencyFailures"/>) and the client decides.
/// </summary>
public sealed class RetryReadsOnSiloLoss : IEndpointFilter
{
    public const int Attempts = 3;

    public static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            return await next(context);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (attempt < Attempts && IsSiloLoss(e) && !http.RequestAborted.IsCancellationRequested)
            {
                await Task.Delay(Pause * attempt, http.RequestAborted);
            }
        }
    }

    /// <summary>The call could not reach a live activation (its silo died or is leaving): another attempt finds one.</summary>
    public static bool IsSiloLoss(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException;
}
