using Npgsql;
using Vdi.Silo.Hosting;
using Vdi.Silo.Startup;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Startup;

/// <summary>
/// Issue 16, the database owned by the product: <c>vdi-silo migrate</c> applies the shipped schema files to a blank
/// database, two migrations at once apply each file once (advisory lock), a second run has nothing to do, a failing
/// file is rolled back and named, and the silo then passes its schema check.
/// </summary>
public sealed class SchemaMigratorTests
{
    private static async Task<T> WithBlankDatabaseAsync<T>(Func<string, Task<T>> test)
    {
        var database = $"vdi_migrate_{Guid.NewGuid():N}"[..26];
        await TestDb.ExecuteAsync($"create database {database}");
        try
        {
            return await test(TestDb.ConnectionStringFor(database));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDb.ExecuteAsync($"drop database if exists {database} with (force)");
        }
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Two_migrations_at_once_apply_every_file_once_and_a_third_has_nothing_to_do()
    {
        await WithBlankDatabaseAsync(async db =>
        {
            var files = SchemaMigrator.Files(SchemaMigrator.DefaultDirectory);
            Assert.Equal(SchemaRequirements.Version, files[^1].Number); // the silo ships the schema it needs

            var both = await Task.WhenAll(SchemaMigrator.MigrateAsync(db), SchemaMigrator.MigrateAsync(db));
            Assert.Equal(files.Select(f => f.Number), both.SelectMany(r => r.Applied).Order());
            Assert.All(both, r => Assert.Equal(SchemaRequirements.Version, r.Version));
            Assert.Equal(files.Count, await CountAsync(db, "select count(*) from vdi_schema_version"));

            var again = await SchemaMigrator.MigrateAsync(db);
            Assert.Empty(again.Applied);

            // the command as an operator runs it
            Assert.Equal(0, await SiloApplication.RunAsync(["migrate", $"--Postgres:MigrationConnectionString={db}"]));
            return 0;
        });
    }

    [Fact]
    public async Task A_failing_file_is_rolled_back_and_named_and_the_files_before_it_stay()
    {
        var folder = Directory.CreateTempSubdirectory("vdi-migrate-");
        try
        {
            foreach (var (_, path) in SchemaMigrator.Files(SchemaMigrator.DefaultDirectory).Take(3))
            {
                File.Copy(path, Path.Combine(folder.FullName, Path.GetFileName(path)));
            }

            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "004_broken.sql"),
                "create table half_done (id int); create table broken (;");
            await WithBlankDatabaseAsync(async db =>
            {
                var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaMigrator.MigrateAsync(db, folder.FullName));
                Assert.Contains("004_broken.sql", failed.Message);
                Assert.Equal(3, await CountAsync(db, "select coalesce(max(version), 0)::bigint from vdi_schema_version"));
                Assert.Equal(0, await CountAsync(db, "select count(*) from pg_tables where tablename = 'half_done'"));
                return 0;
            });
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
