using Npgsql;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.Grains.Hosting;

/// <summary>
/// Every grain call of the silo: a database failure thrown by a grain (a connection refused, a server shutting down,
/// a timeout, an activation that could not read its state) leaves the grain as one typed refusal,
/// <see cref="ErrorKind.DependencyUnavailable"/>, which every caller maps to a 503. Npgsql's own exceptions do not
/// survive Orleans' serialization (the gateway would see a codec failure, a 500), and they carry internals.
/// </summary>
public sealed class DependencyFailureFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw BrokerException.Unavailable(context.InterfaceMethod?.Name ?? "a grain call");
        }
    }

    /// <summary>
    /// Whether the exception (or one it wraps) is the database not answering; a statement the server refused for its
    /// content (a constraint, a trigger) is a server error too: no half-written state is kept either way.
    /// </summary>
    public static bool IsDatabaseFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException)
            {
                return true;
            }

            if (e is AggregateException { InnerExceptions.Count: 1 } a)
            {
                return IsDatabaseFailure(a.InnerExceptions[0]);
            }
        }

        return false;
    }
}
