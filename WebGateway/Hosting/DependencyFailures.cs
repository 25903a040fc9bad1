using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using Orleans.Serialization;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// The one place a dependency failure becomes an answer: an overloaded or unreachable cluster (a grain call timing
/// out in a logon storm, no silo) or a database that does not answer (here, or in the grain that was called) is a
/// 503 with <c>Retry-After</c> the client can act on, in the thin client's envelope or as problem details on the
/// admin API; never an anonymous 500, and never a 401 for a token that is valid. Anything else stays a logged 500.
/// </summary>
public sealed class DependencyFailures : IExceptionHandler
{
    public const string RetryAfterSeconds = "5";

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDependencyFailure(exception))
        {
            return false;
        }

        await WriteAsync(http, cancellationToken);
        return true;
    }

    /// <summary>The 503 itself (also written by the authentication handler when a token could not be checked).</summary>
    public static async Task WriteAsync(HttpContext http, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = RetryAfterSeconds;
        const string message = "The broker is busy. Try again in a few seconds.";
        if (http.Request.Path.StartsWithSegments("/api/admin"))
        {
            await Results.Problem(message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Busy").ExecuteAsync(http);
        }
        else
        {
            await http.Response.WriteAsJsonAsync(new { errors = new[] { new { message } } }, cancellationToken);
        }
    }

    /// <summary>The cluster or Postgres did not answer (also when a grain's database call failed and its exception came back).</summary>
    public static bool IsDependencyFailure(Exception e) => e switch
    {
        BrokerException { Kind: ErrorKind.DependencyUnavailable or ErrorKind.Overloaded } => true,
        // a database exception that reached the gateway raw (an activation that could not read its state): its type
        // cannot be deserialized here
        CodecNotFoundException c => c.Message.Contains("Npgsql.", StringComparison.Ordinal),
        OrleansException { InnerException: { } inner } => IsDependencyFailure(inner),
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException => true,
        NpgsqlException => true,
        UnavailableExceptionFallbackException f => f.ExceptionType?.StartsWith("Npgsql.", StringComparison.Ordinal) == true,
        AggregateException { InnerExceptions.Count: 1 } a => IsDependencyFailure(a.InnerExceptions[0]),
        _ => false,
    };
}
