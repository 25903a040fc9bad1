using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Vdi.Silo.Startup;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Startup;

public sealed class PreflightTests
{
    private static IConfiguration Config(string postgres, string? redis = null, string adminPassword = "initial-pw") =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = postgres,
            ["Redis:ConnectionString"] = redis ?? TestServices.RedisConnectionString,
            ["Admin:Password"] = adminPassword,
        }).Build();

    [Fact]
    public async Task Outside_development_a_missing_key_certificate_stops_the_silo_with_a_message()
    {
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(Config(TestServices.PostgresConnectionString), requireKeyCertificate: true));
        Assert.Contains("DataProtection:CertificatePath is required outside Development", e.Message);
        await Preflight.RunAsync(Config(TestServices.PostgresConnectionString)); // Development: allowed (with the warning of before)
    }

    [Fact]
    public async Task Outside_development_a_missing_cluster_certificate_stops_the_silo_with_a_message()
    {
        var config = new ConfigurationBuilder().AddConfiguration(Config(TestServices.PostgresConnectionString))
            .AddInMemoryCollection(TestServices.KeyEncryptionSettings).Build();
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(config, requireKeyCertificate: true));
        Assert.Contains("ClusterTls:CertificatePath and ClusterTls:CaPath are required outside Development", e.Message);

        var withTls = new ConfigurationBuilder().AddConfiguration(config).AddInMemoryCollection(TestServices.ClusterTlsSettings).Build();
        await Preflight.RunAsync(withTls, requireKeyCertificate: true);
    }

    [Fact]
    public async Task Live_services_with_our_schema_pass()
    {
        await Preflight.RunAsync(Config(TestServices.PostgresConnectionString));
    }

    [Fact]
    public async Task Malformed_connection_string_names_the_setting()
    {
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(Config("Hots=127.0.0.1;Prot=x")));
        Assert.StartsWith("Postgres:ConnectionString is not a valid connection string", e.Message);
    }

    [Fact]
    public async Task Missing_connection_string_names_the_setting()
    {
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(Config("")));
        Assert.Contains("Postgres:ConnectionString is required", e.Message);
    }

    [Fact]
    public async Task Unreachable_postgres_names_host_and_port_without_the_password()
    {
        var port = FreePort.Next();
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(
            Config($"Host=127.0.0.1;Port={port};Database=vdi;Username=postgres;Password=TopSecret1")));
        Assert.Contains($"cannot reach PostgreSQL at 127.0.0.1:{port}", e.Message);
        Assert.DoesNotContain("TopSecret1", e.Message);
    }

    [Fact]
    public async Task Wrong_postgres_password_is_reported_as_rejected_credentials()
    {
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(TestServices.PostgresConnectionString) { Password = "wrong-password" };
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(Config(csb.ConnectionString)));
        Assert.Contains("rejected the credentials of user 'vdi_broker'", e.Message);
        Assert.DoesNotContain("wrong-password", e.Message);
    }

    [Fact]
    public async Task Unreachable_redis_names_host_and_port()
    {
        var port = FreePort.Next();
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(
            Config(TestServices.PostgresConnectionString, redis: $"127.0.0.1:{port}")));
        Assert.Contains($"cannot reach Redis at 127.0.0.1:{port}", e.Message);
    }

    [Fact]
    public async Task Missing_and_old_schemas_are_refused_with_the_versions_named()
    {
        var database = $"vdi_preflight_{Guid.NewGuid():N}"[..28];
        await TestDb.ExecuteAsync($"create database {database}");
        try
        {
            var config = Config(TestDb.ConnectionStringFor(database));
            var missing = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(config));
            Assert.Contains("the database schema is missing", missing.Message);

            await TestDb.ExecuteAsync(
                "create table vdi_schema_version (version integer primary key, name text not null, applied_at timestamptz not null default now()); insert into vdi_schema_version (version, name) values (1, 'old')",
                database);
            var old = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(config));
            Assert.Contains($"is at version 1, this silo needs version {SchemaRequirements.Version}", old.Message);
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await TestDb.ExecuteAsync($"drop database if exists {database} with (force)");
        }
    }

    [Fact]
    public async Task Missing_admin_password_is_refused_while_the_administrator_does_not_exist()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = TestServices.PostgresConnectionString,
            ["Redis:ConnectionString"] = TestServices.RedisConnectionString,
            ["Admin:Username"] = $"nobody-{Guid.NewGuid():N}",
        }).Build();
        var e = await Assert.ThrowsAsync<PreflightException>(() => Preflight.RunAsync(config));
        Assert.Contains("Admin:Password is not set", e.Message);
    }

    [Fact]
    public async Task Silo_process_with_an_unreachable_database_exits_with_one_clear_line()
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Vdi.Silo.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["Postgres__ConnectionString"] = $"Host=127.0.0.1;Port={port};Database=vdi;Username=postgres;Password=TopSecret1";
        start.Environment["Redis__ConnectionString"] = TestServices.RedisConnectionString;
        start.Environment["Admin__Password"] = "irrelevant";

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        var output = await stderr + await stdout;
        Assert.Contains($"vdi-silo: cannot start: cannot reach PostgreSQL at 127.0.0.1:{port}", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("TopSecret1", output);
    }
}
