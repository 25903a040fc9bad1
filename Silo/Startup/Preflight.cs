using System.ComponentModel.DataAnnotations;
using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;
using Vdi.Grains.Interfaces.Configuration;
using Vdi.Silo.Options;

namespace Vdi.Silo.Startup;

/// <summary>
/// Checks, before the silo starts, that its configuration is valid and that Postgres (with our schema) and Redis
/// answer. Each failure becomes a <see cref="PreflightException"/> naming the setting or the host and port.
/// </summary>
public static class Preflight
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <param name="requireKeyCertificate">
    /// True outside Development: a silo without the Data Protection certificate would keep the key ring (and so the
    /// controller tokens and TOTP secrets it protects) unencrypted in Postgres, and one without the cluster's TLS
    /// certificates would let anyone on the network join the cluster, so it does not start.
    /// </param>
    public static async Task RunAsync(IConfiguration config, CancellationToken ct = default, bool requireKeyCertificate = false)
    {
        var pg = Bind<PostgresOptions>(config, PostgresOptions.Section);
        var redis = Bind<RedisOptions>(config, RedisOptions.Section);
        Bind<ClusterIdentityOptions>(config, ClusterIdentityOptions.Section);
        Bind<SiloHostOptions>(config, SiloHostOptions.Section);
        var admin = Bind<AdminOptions>(config, AdminOptions.Section);

        if (requireKeyCertificate && string.IsNullOrWhiteSpace(config[Vdi.Grains.Security.KeyEncryptionCertificate.PathKey]))
        {
            throw new PreflightException($"{Vdi.Grains.Security.KeyEncryptionCertificate.PathKey} is required outside Development: without it the " +
                "Data Protection key ring (which encrypts controller tokens and TOTP secrets) would be stored unencrypted. Set it (and " +
                $"{Vdi.Grains.Security.KeyEncryptionCertificate.PasswordKey}), or run with ASPNETCORE_ENVIRONMENT=Development for a throwaway setup.");
        }

        if (requireKeyCertificate && string.IsNullOrWhiteSpace(config[Vdi.Shared.Security.ClusterCertificates.PathKey]))
        {
            throw new PreflightException($"{Vdi.Shared.Security.ClusterCertificates.PathKey} and {Vdi.Shared.Security.ClusterCertificates.CaPathKey} are " +
                "required outside Development: without the cluster's mutual TLS any process that reaches the silo and gateway ports can " +
                "join the cluster and call any grain. Set them (scripts/run.sh makes a CA and a certificate under .data/secrets), or run with " +
                "ASPNETCORE_ENVIRONMENT=Development for a throwaway setup.");
        }

        try
        {
            Vdi.Grains.Security.KeyEncryptionCertificate.Load(config)?.Dispose();
            Vdi.Shared.Security.ClusterCertificates.Load(config)?.Dispose();
        }
        catch (InvalidOperationException e)
        {
            throw new PreflightException(e.Message);
        }

        await CheckPostgresAsync(pg.ConnectionString, admin, ct);
        await CheckRedisAsync(redis.ConnectionString);
    }

    public static T Bind<T>(IConfiguration config, string section) where T : class, new()
    {
        T options;
        try
        {
            options = Vdi.Shared.Options.SectionOptions.Read<T>(config, section);
        }
        catch (InvalidOperationException e)
        {
            throw new PreflightException($"configuration section '{section}' is invalid: {e.InnerException?.Message ?? e.Message}");
        }

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
        {
            throw new PreflightException(string.Join("; ", errors.Select(e => e.ErrorMessage)));
        }

        return options;
    }

    private static async Task CheckPostgresAsync(string connectionString, AdminOptions admin, CancellationToken ct)
    {
        NpgsqlConnectionStringBuilder csb;
        try
        {
            csb = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = (int)ConnectTimeout.TotalSeconds };
        }
        catch (ArgumentException e)
        {
            throw new PreflightException($"Postgres:ConnectionString is not a valid connection string: {e.Message}");
        }

        var where = $"PostgreSQL at {csb.Host ?? "(no host)"}:{csb.Port} (database '{csb.Database}')";
        await using var conn = new NpgsqlConnection(csb.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new PreflightException($"{where} rejected the credentials of user '{csb.Username}' (check Postgres:ConnectionString)");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new PreflightException($"{where} has no such database: create it and apply scripts/sql (scripts/run.sh does both)");
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            throw new PreflightException($"cannot reach {where}: {Innermost(e).Message}");
        }

        await CheckSchemaAsync(conn, where, ct);
        await CheckAdministratorAsync(conn, admin, ct);
    }

    private static async Task CheckSchemaAsync(NpgsqlConnection conn, string where, CancellationToken ct)
    {
        const string hint = "apply scripts/sql (scripts/run.sh and scripts/test.sh do it)";
        await using (var exists = new NpgsqlCommand("select to_regclass('vdi_schema_version') is not null", conn))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                throw new PreflightException($"the database schema is missing in {where}: {hint}");
            }
        }

        await using var version = new NpgsqlCommand("select coalesce(max(version), 0) from vdi_schema_version", conn);
        var found = (int)(await version.ExecuteScalarAsync(ct))!;
        if (found < SchemaRequirements.Version)
        {
            throw new PreflightException(
                $"the database schema in {where} is at version {found}, this silo needs version {SchemaRequirements.Version}: {hint}");
        }

        await using var keys = new NpgsqlCommand("select querykey from orleansquery where querykey = any(@keys)", conn);
        keys.Parameters.AddWithValue("keys", SchemaRequirements.OrleansQueryKeys.ToArray());
        var present = new HashSet<string>();
        await using (var reader = await keys.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                present.Add(reader.GetString(0));
            }
        }

        var missing = SchemaRequirements.OrleansQueryKeys.Where(k => !present.Contains(k)).ToList();
        if (missing.Count > 0)
        {
            throw new PreflightException($"the Orleans queries {string.Join(", ", missing)} are missing in {where}: {hint}");
        }
    }

    private static async Task CheckAdministratorAsync(NpgsqlConnection conn, AdminOptions admin, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(admin.Password))
        {
            return;
        }

        await using var cmd = new NpgsqlCommand("select exists (select 1 from vdi_users where lower(username) = lower(@name))", conn);
        cmd.Parameters.AddWithValue("name", admin.Username.Trim());
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!)
        {
            throw new PreflightException(
                $"Admin:Password is not set and the initial administrator '{admin.Username}' does not exist yet: set Admin:Password (env Admin__Password)");
        }
    }

    private static async Task CheckRedisAsync(string connectionString)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new PreflightException($"Redis:ConnectionString is not valid: {e.Message}");
        }

        if (options.EndPoints.Count == 0)
        {
            throw new PreflightException("Redis:ConnectionString names no endpoint (e.g. 127.0.0.1:56379)");
        }

        options.AbortOnConnectFail = true;
        options.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
        options.ConnectRetry = 1;
        var where = $"Redis at {string.Join(", ", options.EndPoints.Select(EndPointCollection.ToString))}";
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options, TextWriter.Null);
            await redis.GetDatabase().PingAsync();
        }
        catch (RedisException e)
        {
            throw new PreflightException($"cannot reach {where}: {FirstLine(e.Message)}");
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
