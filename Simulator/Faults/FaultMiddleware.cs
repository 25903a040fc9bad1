using Vdi.Simulator.Api;

namespace Vdi.Simulator.Faults;

/// <summary>Applies the injected faults to controller traffic (<c>/api/</c> and <c>/ws/</c>), never to <c>/sim/</c>.</summary>
public sealed class FaultMiddleware(RequestDelegate next, FaultState faults)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (!path.StartsWith("/api/", StringComparison.Ordinal) && !path.StartsWith("/ws", StringComparison.Ordinal))
        {
            await next(http);
            return;
        }

        if (faults.Down)
        {
            http.Abort();
            return;
        }

        if (faults.LatencyMs > 0)
        {
            await Task.Delay(faults.LatencyMs, http.RequestAborted);
        }

        if (faults.Unauthorized && path.StartsWith("/api/", StringComparison.Ordinal))
        {
            await EcpErrors.Unauthorized().ExecuteAsync(http);
            return;
        }

        if (faults.FailPaths.Any(p => path.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            await EcpErrors.Error(StatusCodes.Status500InternalServerError, "Injected failure.", "50000").ExecuteAsync(http);
            return;
        }

        await next(http);
    }
}
