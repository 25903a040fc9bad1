using Npgsql;

namespace Vdi.Tests.Fixtures;

/// <summary>Direct SQL against the test database, to check what the grains really wrote.</summary>
public static class TestDb
{
    /// <summary>One pool of connections to the test database for every test (or the one a test pointed this flow at).</summary>
    public static NpgsqlDataSource DataSource => Override.Value ?? LazyDataSource.Value;

    private static readonly AsyncLocal<NpgsqlDataSource?> Override = new();

    /// <summary>
    /// Points every TestDb call of this test (its async flow) at another database until disposed: the fault tests
    /// run against a Postgres of their own, which they stop and start.
    /// </summary>
    public static IDisposable Against(NpgsqlDataSource db)
    {
        var previous = Override.Value;
        Override.Value = db;
        return new Restore(() => Override.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    private static readonly Lazy<NpgsqlDataSource> LazyDataSource = new(() => NpgsqlDataSource.Create(TestServices.PostgresAdminConnectionString));

    public static async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = Command(sql, parameters);
        var result = await cmd.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public static async Task<IReadOnlyList<T>> ScalarsAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = Command(sql, parameters);
        var values = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }

        return values;
    }

    public static async Task ExecuteAsync(string sql, string? database = null)
    {
        if (database is null)
        {
            await using var cmd = Command(sql, []);
            await cmd.ExecuteNonQueryAsync();
            return;
        }

        await using var conn = new NpgsqlConnection(ConnectionStringFor(database));
        await conn.OpenAsync();
        await using var other = new NpgsqlCommand(sql, conn);
        await other.ExecuteNonQueryAsync();
    }

    /// <summary>The test connection string pointed at another database of the same server.</summary>
    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(TestServices.PostgresAdminConnectionString) { Database = database }.ConnectionString;

    private static NpgsqlCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var cmd = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }
}
