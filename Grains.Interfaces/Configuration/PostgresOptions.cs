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
    /// The connection string with a cap on its connection pool, unless it sets one itself. Each process keeps a few
    /// pools (grain storage, queries, health checks); capped, a storm of requests waits for a connection instead of
    /// exceeding the server's max_connections ("too many clients already").
    /// </summary>
    public static string WithPoolLimit(string connectionString, int maxPoolSize) =>
        connectionString.Contains("pool size", StringComparison.OrdinalIgnoreCase)
            ? connectionString
            : $"{connectionString.TrimEnd(';')};Maximum Pool Size={maxPoolSize}";
}
