using Microsoft.AspNetCore.Diagnostics;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// An overloaded or unreachable cluster (a grain call timing out during a logon storm, no silo) is a 503 the client
/// can retry, in the thin client's envelope or as problem details on the admin API, never an anonymous 500.
/// </summary>
public sealed class BusyResponses : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not (TimeoutException or SiloUnavailableException or OrleansMessageRejectionException))
        {
            return false;
        }

        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        const string message = "The broker is busy. Try again in a few seconds.";
        if (http.Request.Path.StartsWithSegments("/api/admin"))
        {
            await Results.Problem(message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy").ExecuteAsync(http);
        }
        else
        {
            await http.Response.WriteAsJsonAsync(new { errors = new[] { new { message } } }, cancellationToken);
        }

        return true;
    }
}
