using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Vdi.Silo.Startup;

/// <summary>What a migration did: the files applied (by version) and the version the database is at.</summary>
public sealed record MigrationResult(IReadOnlyList<int> Applied, int Version);

/// <summary>
/// Applies the schema files (<c>NNN_name.sql</c>, shipped in the silo's <c>sql/</c> folder) that the database has not
/// recorded in <c>vdi_schema_version</c>, in order, each in its own transaction, under a Postgres advisory lock: two
/// silos (or two operators) migrating at once apply each file once, the second waits and finds nothing to do. A file
/// that fails is rolled back and names itself; the files before it stay applied. Each file records its own version.
/// </summary>
public static partial class SchemaMigrator
{
    /// <summary>The advisory lock's key ("vdi-schema" as a number), held for the session of the migration.</summary>
    private const long LockKey = 0x7664_6973_6368;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "sql");

    public static async Task<MigrationResult> MigrateAsync(string connectionString, string? sqlDirectory = null, CancellationToken cancellation = default)
    {
        var files = Files(sqlDirectory ?? DefaultDirectory);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(cancellation);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(@k)", conn))
        {
            take.Parameters.AddWithValue("k", LockKey);
            await take.ExecuteNonQueryAsync(cancellation);
        }

        try
        {
            var applied = new List<int>();
            var version = await VersionAsync(conn, cancellation);
            foreach (var (number, path) in files.Where(f => f.Number > version))
            {
                await using var tx = await conn.BeginTransactionAsync(cancellation);
                try
                {
                    await using var apply = new NpgsqlCommand(await File.ReadAllTextAsync(path, cancellation), conn, tx);
                    await apply.ExecuteNonQueryAsync(cancellation);
                    await tx.CommitAsync(cancellation);
                }
                catch (PostgresException e)
                {
                    await tx.RollbackAsync(CancellationToken.None);
                    throw new InvalidOperationException($"schema file {Path.GetFileName(path)} failed: {e.MessageText} ({e.SqlState})", e);
                }

                var recorded = await VersionAsync(conn, cancellation);
                if (recorded < number)
                {
                    throw new InvalidOperationException($"schema file {Path.GetFileName(path)} did not record version {number} in vdi_schema_version");
                }

                applied.Add(number);
                version = recorded;
            }

            return new MigrationResult(applied, version);
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@k)", conn);
            release.Parameters.AddWithValue("k", LockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The schema files in order of their number; two files of one number are refused.</summary>
    public static IReadOnlyList<(int Number, string Path)> Files(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"the schema folder {directory} does not exist");
        }

        var files = Directory.GetFiles(directory, "*.sql")
            .Select(path => (Match: FileName().Match(Path.GetFileName(path)), Path: path))
            .Where(f => f.Match.Success)
            .Select(f => (Number: int.Parse(f.Match.Groups[1].Value, CultureInfo.InvariantCulture), f.Path))
            .OrderBy(f => f.Number)
            .ToList();
        if (files.GroupBy(f => f.Number).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException($"two schema files have the number {twice.Key}: {string.Join(", ", twice.Select(f => Path.GetFileName(f.Path)))}");
        }

        return files;
    }

    private static async Task<int> VersionAsync(NpgsqlConnection conn, CancellationToken cancellation)
    {
        await using var exists = new NpgsqlCommand("select to_regclass('vdi_schema_version') is not null", conn);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellation))!)
        {
            return 0;
        }

        await using var max = new NpgsqlCommand("select coalesce(max(version), 0) from vdi_schema_version", conn);
        return (int)(await max.ExecuteScalarAsync(cancellation))!;
    }

    [GeneratedRegex(@"^(\d{3})_[A-Za-z0-9_]+\.sql$")]
    private static partial Regex FileName();
}
