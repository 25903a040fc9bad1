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
    /// The schema owner's connection string for <c>vdi-silo migrate</c> (DDL rights the services' role does not have);
    /// empty: <see cref="ConnectionString"/>. Never logged.
    /// </summary>
    public string MigrationConnectionString { get; set; } = "";
}
