using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OtpNet;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Users;
using Vdi.Silo.Hosting;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Production;

/// <summary>
/// Issue 16: the restore drill. A broker with a controller (its token encrypted by Data Protection) and a user with a
/// TOTP secret is backed up by <c>vdi-broker backup</c>; a "new host" with its own blank database and its own, different
/// certificate restores it with <c>vdi-broker restore</c>, and a silo started from the restored configuration reaches
/// the controller with its token and accepts the user's one-time code.
/// </summary>
public sealed class BackupRestoreTests
{
    private static string Root => Environment.GetEnvironmentVariable("VDI_ROOT") ?? throw new InvalidOperationException("VDI_ROOT is not set: run the tests through scripts/test.sh");

    private static string Superuser(string database) =>
        new NpgsqlConnectionStringBuilder(TestServices.PostgresAdminConnectionString) { Database = database }.ConnectionString;

    private static async Task SqlAsync(string sql)
    {
        await using var db = NpgsqlDataSource.Create(Superuser("postgres"));
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A host's /etc/vdi-broker: its own Data Protection certificate, its password and its database in vdi-broker.env.</summary>
    private static async Task<(string Etc, string State, byte[] Certificate, string Password)> HostAsync(string folder, string database)
    {
        var etc = Path.Combine(folder, "etc");
        var state = Path.Combine(folder, "state");
        Directory.CreateDirectory(Path.Combine(etc, "tls"));
        Directory.CreateDirectory(state);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=vdi-broker data protection", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = certificate.Export(X509ContentType.Pkcs12, password);
        await File.WriteAllBytesAsync(Path.Combine(etc, "tls", "dataprotection.pfx"), pfx);
        await File.WriteAllTextAsync(Path.Combine(etc, "appsettings.Production.json"),
            $$"""{ "DataProtection": { "CertificatePath": "{{Path.Combine(etc, "tls", "dataprotection.pfx")}}" } }""");
        await File.WriteAllLinesAsync(Path.Combine(etc, "vdi-broker.env"),
        [
            "# this host's secrets",
            $"Postgres__ConnectionString={Superuser(database)}",
            $"Postgres__MigrationConnectionString={Superuser(database)}",
            $"Redis__ConnectionString={TestServices.RedisConnectionString}",
            $"DataProtection__CertificatePassword={password}",
            $"Admin__Username=drill-admin-{Path.GetFileName(folder)}",
            $"Admin__Password=Drill-{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}",
        ]);
        return (etc, state, pfx, password);
    }

    private static Dictionary<string, string> EnvFile(string etc) =>
        File.ReadAllLines(Path.Combine(etc, "vdi-broker.env")).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    /// <summary>A silo configured from a host's folder as the unit configures it: its JSON file, then its environment file.</summary>
    private static async Task<WebApplication> SiloAsync(string etc, string serviceId)
    {
        var builder = WebApplication.CreateBuilder(
        [
            $"--Cluster:ClusterId=drill-{Guid.NewGuid():N}"[..24],
            $"--Cluster:ServiceId={serviceId}",
            "--urls=http://127.0.0.1:0",
            $"--Silo:SiloPort={FreePort.Next()}",
            $"--Silo:GatewayPort={FreePort.Next()}",
            "--Logging:LogLevel:Default=Warning",
            .. ClusterFixture.FastSettings.Select(kv => $"--{kv.Key}={kv.Value}"),
        ]);
        builder.Configuration.AddJsonFile(Path.Combine(etc, "appsettings.Production.json"));
        builder.Configuration.AddInMemoryCollection(EnvFile(etc).Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":"), kv.Value)));
        await Vdi.Silo.Startup.Preflight.RunAsync(builder.Configuration);
        var silo = SiloApplication.Build(builder);
        await silo.StartAsync();
        return silo;
    }

    private static Task<string> BrokerAsync((string Etc, string State) host, params string[] args) =>
        Shell.RunAsync("bash", [Path.Combine(Root, "packaging/bin/vdi-broker"), .. args], new() { ["VDI_ETC"] = host.Etc, ["VDI_STATE"] = host.State });

    [Fact]
    public async Task A_backup_restored_into_a_blank_database_on_a_new_host_decrypts_the_controller_tokens_and_TOTP_secrets()
    {
        using var work = new TempFolder();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var (source, target) = ($"vdi_drill_a_{suffix}", $"vdi_drill_b_{suffix}");
        var serviceId = $"drill-{suffix}";
        await SqlAsync($"create database \"{source}\"");
        await SqlAsync($"create database \"{target}\"");
        try
        {
            await Vdi.Silo.Startup.SchemaMigrator.MigrateAsync(Superuser(source), Path.Combine(Root, "scripts", "sql"));
            var a = await HostAsync(Path.Combine(work.Path, "a"), source);
            var b = await HostAsync(Path.Combine(work.Path, "b"), target);
            Assert.NotEqual(a.Certificate, b.Certificate);

            await using var sim = await SimulatorHost.StartAsync();
            var controllerId = Guid.NewGuid();
            var username = $"drill-{suffix}";
            string secret;
            await using (var silo = await SiloAsync(a.Etc, serviceId))
            {
                var grains = silo.Services.GetRequiredService<IGrainFactory>();
                var controller = await grains.GetGrain<IControllerGrain>(controllerId).AddAsync(new ControllerRegistration($"drill-{suffix}", sim.Address, sim.Token, "", "drill"));
                Assert.Equal(ControllerStatus.Active, controller.Status);
                var user = await grains.ForName(username).CreateUserAsync(new NewUser(username, "drill-password-1", false, [], "drill"));
                secret = (await grains.GetGrain<IUserGrain>(user.Id).GenerateTotpSecretAsync()).Secret;
                await grains.GetGrain<IUserGrain>(user.Id).SetTwoFactorAsync(true); // confirmed by the first login's code
                await silo.StopAsync();
            }

            // the backup: one archive, owner-only, with the dump, the configuration, the certificate, a manifest and checksums
            var archive = Path.Combine(work.Path, "drill.tar.gz");
            await BrokerAsync((a.Etc, a.State), "backup", archive);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
            var listing = await Shell.RunAsync("tar", "-tzf", archive);
            foreach (var entry in new[] { "MANIFEST", "SHA256SUMS", "database.dump", "etc/vdi-broker.env", "etc/tls/dataprotection.pfx" })
            {
                Assert.Contains(entry, listing.Split('\n').Select(l => l.TrimStart('.', '/')));
            }

            Assert.Contains($"schema_version={Vdi.Silo.Startup.SchemaRequirements.Version}", await Shell.RunAsync("tar", "-xzOf", archive, "MANIFEST"));

            // a damaged archive is refused before anything is touched
            var damaged = Path.Combine(work.Path, "damaged.tar.gz");
            await Shell.RunAsync("bash", "-c", $"set -e; d=$(mktemp -d); tar -C $d -xzf '{archive}'; echo x >> $d/database.dump; tar -C $d -czf '{damaged}' .; rm -rf $d");
            Assert.Contains("damaged", await Shell.OutputAsync("bash", "-c", $"VDI_ETC='{b.Etc}' VDI_STATE='{b.State}' bash '{Root}/packaging/bin/vdi-broker' restore '{damaged}'"));
            Assert.Equal(0L, await CountTablesAsync(target));

            // the new host restores it into its blank database
            await BrokerAsync((b.Etc, b.State), "restore", archive);
            Assert.Equal(a.Certificate, await File.ReadAllBytesAsync(Path.Combine(b.Etc, "tls", "dataprotection.pfx")));
            var env = EnvFile(b.Etc);
            Assert.Equal(a.Password, env["DataProtection__CertificatePassword"]);
            Assert.Equal(Superuser(target), env["Postgres__ConnectionString"]); // this host's own database, not the backup's
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(b.Etc, "vdi-broker.env")));

            // a second restore over data is refused without --force
            Assert.Contains("not blank", await Shell.OutputAsync("bash", "-c", $"VDI_ETC='{b.Etc}' VDI_STATE='{b.State}' bash '{Root}/packaging/bin/vdi-broker' restore '{archive}'"));

            await using (var silo = await SiloAsync(b.Etc, serviceId))
            {
                var grains = silo.Services.GetRequiredService<IGrainFactory>();
                // the token decrypts: the controller answers with it
                var tested = await grains.GetGrain<IControllerGrain>(controllerId).TestAsync("drill");
                Assert.True(tested.Status == ControllerStatus.Active, $"the restored controller is {tested.Status}: {tested.StatusReason}");
                // the TOTP secret decrypts: the user's current code is accepted
                var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
                var login = await grains.ForName(username).LoginAsync(new LoginAttempt("drill-password-1", code, "192.0.2.8", LoginChannel.ThinClient, Guid.NewGuid()));
                Assert.Equal(LoginResult.Success, login.Result);
                await silo.StopAsync();
            }
        }
        finally
        {
            await SqlAsync($"drop database if exists \"{source}\" with (force)");
            await SqlAsync($"drop database if exists \"{target}\" with (force)");
        }
    }

    private static async Task<long> CountTablesAsync(string database)
    {
        await using var db = NpgsqlDataSource.Create(Superuser(database));
        await using var command = db.CreateCommand("select count(*) from pg_tables where schemaname = 'public'");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
