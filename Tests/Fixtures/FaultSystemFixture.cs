using System.Diagnostics;
using Npgsql;

namespace Vdi.Tests.Fixtures;

/// <summary>
/// The live system (one silo, two gateways) on a Postgres of its own (scripts/fault-pg.sh, another cluster on
/// another port), so its tests can stop the database for real (<c>pg_ctl stop -m immediate</c>) and start it again
/// without disturbing any other collection.
/// </summary>
public sealed class FaultSystemFixture() : LiveSystemFixture(TestServices.FaultPostgresConnectionString)
{
    private NpgsqlDataSource? _db;

    /// <summary>Direct SQL against this system's database (for <see cref="TestDb.Against"/>).</summary>
    public NpgsqlDataSource Db => _db ??= NpgsqlDataSource.Create(PostgresConnectionString);

    public Task StopPostgresAsync() => RunAsync("stop");

    public async Task StartPostgresAsync()
    {
        await RunAsync("start");
        _db?.Clear(); // the test's own pooled connections died with the server (the broker's must recover by themselves)
    }

    private static async Task RunAsync(string verb)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [TestServices.FaultPostgresScript, verb])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"fault-pg.sh {verb} failed: {await error}");
    }

    public override async Task DisposeAsync()
    {
        await StartPostgresAsync(); // a test that failed half-way leaves it running for the others
        await base.DisposeAsync();
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FaultSystemCollection : ICollectionFixture<FaultSystemFixture>
{
    public const string Name = "faults";
}
