using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Interfaces.Configuration;

/// <summary>The broker's database (grain state, reminders, queryable tables); shared by silos and gateways.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>An Npgsql connection string; it carries a password, so it is never logged.</summary>
    [Required(ErrorMessage = "Postgres:ConnectionString is required (e.g. Host=127.0.0.1;Port=55432;Database=vdi;Username=postgres;Password=...)")]
    public string ConnectionString { get; set; } = "";

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
        // the keys the string sets, as Npgsql reads them (any case, spaces ignored); synonyms of the three we add
        var keys = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('=', 2)[0].Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet();
        var tuned = connectionString.TrimEnd(';');
        foreach (var (names, setting) in new[]
                 {
                     (new[] { "maximumpoolsize", "maxpoolsize" }, $"Maximum Pool Size={maxPoolSize}"),
                     (["noresetonclose"], "No Reset On Close=true"),
                     (["maxautoprepare"], "Max Auto Prepare=64;Auto Prepare Min Usages=2"),
                 })
        {
            if (!names.Any(keys.Contains))
            {
                tuned += ";" + setting;
            }
        }

        return tuned;
    }
}
