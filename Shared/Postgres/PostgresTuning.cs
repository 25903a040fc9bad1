using System.Data.Common;
using Npgsql;

namespace Vdi.Shared.Postgres;

/// <summary>How each process's connection pools use the broker's Postgres connection string.</summary>
public static class PostgresTuning
{
    /// <summary>
    /// The connection string as one process's pool should use it, each setting added unless the string sets it itself:
    /// <list type="bullet">
    /// <item>a cap on the pool: each process keeps a few pools (grain storage, queries, health checks); capped, a storm
    /// of requests waits for a connection instead of exceeding the server's max_connections ("too many clients
    /// already");</item>
    /// <item>no reset on close: the broker never changes session state (no SET, temporary tables, LISTEN or session
    /// locks), so the <c>DISCARD ALL</c> Npgsql otherwise sends on every reuse (thirteen per thin-client logon) is
    /// pure cost;</item>
    /// <item>automatic preparation: the same few dozen statements run all day, so the server parses and plans each once
    /// per connection instead of on every call.</item>
    /// </list>
    /// </summary>
    public static string ForPool(string connectionString, int maxPoolSize)
    {
        // the keys the operator wrote, as Npgsql reads them (any case, spaces ignored, quoting honoured)
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet();
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!written.Overlaps(["maximumpoolsize", "maxpoolsize"]))
        {
            tuned.MaxPoolSize = maxPoolSize;
        }

        if (!written.Contains("noresetonclose"))
        {
            tuned.NoResetOnClose = true;
        }

        if (!written.Contains("maxautoprepare"))
        {
            tuned.MaxAutoPrepare = 64;
            tuned.AutoPrepareMinUsages = 2;
        }

        return tuned.ConnectionString;
    }
}
