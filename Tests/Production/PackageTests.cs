using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Vdi.Tests.Fixtures;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Vdi.Tests.Production;

/// <summary>
/// Issue 16: the Debian package. Built by <c>scripts/package.sh</c> from the Release build, installed on this machine
/// for real (<c>dpkg -i</c>), its units checked by <c>systemd-analyze verify</c> and started as they say (a stand-in
/// for systemd runs each unit's User, Environment, EnvironmentFile, ExecStartPre and ExecStart, and listens on
/// NOTIFY_SOCKET for Type=notify), then purged. The machine's own Postgres and Redis of the tests serve it.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageTests(PackageFixture package)
{
    [Fact]
    public async Task The_package_holds_the_layout_the_units_the_configuration_and_maintainer_scripts()
    {
        var info = await Shell.RunAsync("dpkg-deb", "--info", package.Deb);
        Assert.Contains("Package: vdi-broker", info);
        Assert.Contains("Architecture: amd64", info);
        Assert.Matches(@"Depends: [^\n]*postgresql-client", info);
        foreach (var script in new[] { "postinst", "prerm", "postrm", "conffiles", "md5sums" })
        {
            Assert.Contains(script, info);
        }

        var listing = await Shell.RunAsync("dpkg-deb", "--contents", package.Deb);
        var paths = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        string? Entry(string path) => paths.FirstOrDefault(p => p.Length >= 6 && (p[5] == "." + path || p[5] == "." + path + "/")) is { } p ? string.Join(' ', p) : null;
        foreach (var path in new[]
                 {
                     "/opt/vdi-broker/silo/Vdi.Silo", "/opt/vdi-broker/silo/sql/016_directory_users.sql", "/opt/vdi-broker/web/Vdi.WebGateway",
                     "/opt/vdi-broker/web/wwwroot/admin/index.html", "/opt/vdi-broker/simulator/Vdi.Simulator", "/opt/vdi-broker/dotnet/dotnet",
                     "/opt/vdi-broker/bin/vdi-broker", "/usr/bin/vdi-broker", "/lib/systemd/system/vdi-silo.service",
                     "/lib/systemd/system/vdi-web@.service", "/lib/systemd/system/vdi-simulator.service",
                     "/etc/vdi-broker/appsettings.Production.json", "/usr/share/vdi-broker/nginx/vdi-broker.conf",
                     "/usr/share/vdi-broker/vdi-broker.env.in", "/usr/share/doc/vdi-broker/README.md",
                 })
        {
            Assert.True(Entry(path) is not null, $"the package lacks {path}");
        }

        Assert.Contains(paths, p => p.Length >= 6 && p[5].StartsWith("./opt/vdi-broker/dotnet/shared/Microsoft.AspNetCore.App/", StringComparison.Ordinal));
        Assert.StartsWith("-rwxr-xr-x root/root", Entry("/opt/vdi-broker/silo/Vdi.Silo"));
        Assert.StartsWith("-rw-r--r-- root/root", Entry("/lib/systemd/system/vdi-silo.service"));
        // no symbols, no IIS files, and no secret: the secrets are made on the host at installation
        Assert.DoesNotContain(paths, p => p.Length >= 6 && (p[5].EndsWith(".pdb", StringComparison.Ordinal) || p[5].EndsWith("web.config", StringComparison.Ordinal)
            || p[5].EndsWith(".pfx", StringComparison.Ordinal) || p[5].EndsWith("vdi-broker.env", StringComparison.Ordinal)));

        using var extracted = new TempFolder();
        await Shell.RunAsync("dpkg-deb", "--control", package.Deb, extracted.Path);
        foreach (var script in new[] { "postinst", "prerm", "postrm" })
        {
            var path = Path.Combine(extracted.Path, script);
            Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{script} is not executable");
            await Shell.RunAsync("sh", "-n", path); // the syntax of the shell that runs it
            Assert.Contains("set -e", await File.ReadAllTextAsync(path));
        }

        Assert.Equal("/etc/vdi-broker/appsettings.Production.json", (await File.ReadAllTextAsync(Path.Combine(extracted.Path, "conffiles"))).Trim());
        // the shipped configuration parses as the services read it (JSON with comments)
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package.Root, "packaging/etc/appsettings.Production.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        Assert.Equal("/etc/vdi-broker/tls/dataprotection.pfx", config.RootElement.GetProperty("DataProtection").GetProperty("CertificatePath").GetString());
    }

    [Fact]
    public async Task Installed_it_starts_as_its_units_say_serves_a_login_stops_on_SIGTERM_and_purges_cleanly()
    {
        await package.InstallAsync();
        try
        {
            // the maintainer scripts' work
            var user = await Shell.RunAsync("getent", "passwd", "vdi");
            Assert.Matches(@"^vdi:x:\d+:\d+:[^:]*:/var/lib/vdi-broker:/usr/sbin/nologin", user);
            Assert.True(int.Parse(user.Split(':')[2]) < 1000, "vdi is not a system user");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode("/etc/vdi-broker/vdi-broker.env"));
            var env = await File.ReadAllTextAsync("/etc/vdi-broker/vdi-broker.env");
            Assert.Matches(@"(?m)^DataProtection__CertificatePassword=[A-Za-z0-9]{20,}$", env);
            Assert.DoesNotMatch("@[A-Z_]+@", env); // every placeholder got a generated secret
            foreach (var pfx in new[] { "dataprotection.pfx", "cluster.pfx" })
            {
                var stat = await Shell.RunAsync("stat", "-c", "%U:%G %a", $"/etc/vdi-broker/tls/{pfx}");
                Assert.Equal("root:vdi 640", stat.Trim()); // the services read it, nobody else
            }

            Assert.Equal("vdi:vdi 750", (await Shell.RunAsync("stat", "-c", "%U:%G %a", "/var/lib/vdi-broker")).Trim());

            // the units as systemd itself reads them
            var verify = await Shell.RunAsync("systemd-analyze", "verify", "/lib/systemd/system/vdi-silo.service", "/lib/systemd/system/vdi-web@8081.service",
                "/lib/systemd/system/vdi-simulator.service");
            Assert.True(verify.Trim().Length == 0, $"systemd-analyze verify complained:\n{verify}"); // an unknown or misspelt setting is only a warning
            var silo = await File.ReadAllTextAsync("/lib/systemd/system/vdi-silo.service");
            foreach (var line in new[] { "Type=notify", "User=vdi", "Restart=on-failure", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                         "ReadWritePaths=/var/lib/vdi-broker", "EnvironmentFile=/etc/vdi-broker/vdi-broker.env" })
            {
                Assert.Contains(line, silo);
            }

            var web = await File.ReadAllTextAsync("/lib/systemd/system/vdi-web@.service");
            Assert.Matches(@"TimeoutStopSec=(\d+)", web);
            Assert.True(int.Parse(System.Text.RegularExpressions.Regex.Match(web, @"TimeoutStopSec=(\d+)").Groups[1].Value) > 5 + 10 + 10,
                "the stop timeout is not longer than the drain");

            // the database as the administrator prepares it: vdi-broker db-init (the roles, the database, the schema)
            var (siloPort, gatewayPort, httpPort, webPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
            await package.ConfigureSiteAsync(siloPort, gatewayPort, httpPort);
            var init = await Shell.RunAsync("vdi-broker", ["db-init"], new() { ["VDI_PG_SUPERUSER_URL"] = package.SuperuserUrl("postgres") });
            Assert.Contains("the schema is at version", init);

            await using var siloUnit = await UnitProcess.StartAsync(package.StandIn, "/lib/systemd/system/vdi-silo.service");
            Assert.True(await siloUnit.ReadyAsync(TimeSpan.FromSeconds(90)), $"the silo sent no READY=1:\n{siloUnit.Output}");
            await using var webUnit = await UnitProcess.StartAsync(package.StandIn, "/lib/systemd/system/vdi-web@.service", webPort.ToString());
            Assert.True(await webUnit.ReadyAsync(TimeSpan.FromSeconds(60)), $"the gateway sent no READY=1:\n{webUnit.Output}");

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{httpPort}/health/ready")).StatusCode);
            Assert.True(await Eventually.TrueAsync(async () => (await http.GetAsync($"http://127.0.0.1:{webPort}/health/ready")).StatusCode == HttpStatusCode.OK,
                TimeSpan.FromSeconds(30)), $"the gateway is not ready:\n{webUnit.Output}");

            // as the vdi user, with the unit's environment
            var vdiUid = user.Split(':')[2];
            foreach (var unit in new[] { siloUnit, webUnit })
            {
                var status = await File.ReadAllTextAsync($"/proc/{unit.ServicePid}/status");
                Assert.Matches($@"(?m)^Uid:\s+{vdiUid}\s+{vdiUid}\s+{vdiUid}\s+{vdiUid}$", status);
                var environ = (await File.ReadAllTextAsync($"/proc/{unit.ServicePid}/environ")).Split('\0');
                Assert.Contains("VDI_CONFIG_DIR=/etc/vdi-broker", environ);
                Assert.Contains("DOTNET_ROOT=/opt/vdi-broker/dotnet", environ);
            }

            // the first administrator from the generated secrets signs in through the installed gateway
            var adminPassword = System.Text.RegularExpressions.Regex.Match(env, "(?m)^Admin__Password=(.+)$").Groups[1].Value;
            JsonElement? login = null;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                // the seeder creates the administrator just after the silo starts
                var reply = await http.PostAsJsonAsync($"http://127.0.0.1:{webPort}/api/auth/", new { username = "vdiadmin", password = adminPassword });
                login = await reply.Content.ReadFromJsonAsync<JsonElement>();
                return login.Value.TryGetProperty("data", out var data) && data.TryGetProperty("access_token", out _);
            }, TimeSpan.FromSeconds(30)), $"the administrator could not sign in: {login}\n{webUnit.Output}");

            // journald's format: each line starts with its syslog priority (<6> information)
            Assert.Contains("<6>", siloUnit.Output);

            // SIGTERM, as systemctl stop sends: the gateway drains, both exit 0 well within TimeoutStopSec
            Assert.Equal(0, await webUnit.StopAsync(TimeSpan.FromSeconds(45)));
            Assert.Equal(0, await siloUnit.StopAsync(TimeSpan.FromSeconds(120)));
        }
        finally
        {
            await package.PurgeAsync();
        }

        // nothing left behind but the database (never dropped by the package)
        foreach (var path in new[] { "/opt/vdi-broker", "/etc/vdi-broker", "/var/lib/vdi-broker", "/lib/systemd/system/vdi-silo.service", "/usr/bin/vdi-broker" })
        {
            Assert.False(Path.Exists(path), $"{path} is left after purge");
        }

        Assert.Equal(2, await Shell.ExitCodeAsync("getent", "passwd", "vdi"));
        Assert.Equal(2, await Shell.ExitCodeAsync("getent", "group", "vdi"));
        Assert.NotEqual(0, await Shell.ExitCodeAsync("dpkg", "-s", "vdi-broker"));
    }
}

/// <summary>Builds the package once for the collection (from the Release build test.sh made) and installs it on demand.</summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public string Root { get; } = Environment.GetEnvironmentVariable("VDI_ROOT") ?? throw new InvalidOperationException("VDI_ROOT is not set: run the tests through scripts/test.sh");

    private readonly TempFolder _work = new();

    public string Deb { get; private set; } = "";

    /// <summary>The systemd stand-in: Python under the name "systemd" and its script.</summary>
    public (string Interpreter, string Script) StandIn { get; private set; }

    public string Database { get; } = $"vdi_pkg_{Guid.NewGuid():N}"[..20];

    public async Task InitializeAsync()
    {
        var output = await Shell.RunAsync("bash", [Path.Combine(Root, "scripts/package.sh"), "--no-build"], new()
        {
            ["VDI_PACKAGE_OUT"] = _work.Path,
            ["VDI_PACKAGE_COMPRESS"] = "zstd",
            ["VDI_PACKAGE_VERSION"] = "1.0.0~test",
        });
        Deb = Directory.GetFiles(_work.Path, "vdi-broker_1.0.0~test_amd64.deb").SingleOrDefault() ?? "";
        Assert.True(File.Exists(Deb), $"scripts/package.sh wrote no package:\n{output}");
        var interpreter = Path.Combine(_work.Path, "systemd");
        File.Copy("/usr/bin/python3.11", interpreter);
        File.SetUnixFileMode(interpreter, (UnixFileMode)0b111_101_101);
        var script = Path.Combine(_work.Path, "systemd-stand-in.py");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Production", "systemd-stand-in.py"), script);
        StandIn = (interpreter, script);
        File.SetUnixFileMode(_work.Path, (UnixFileMode)0b111_101_101); // the vdi user runs nothing from here, but may list it
    }

    public async Task InstallAsync()
    {
        if (await Shell.ExitCodeAsync("dpkg", "-s", "vdi-broker") == 0)
        {
            await PurgeAsync(); // a run that was cut off
        }

        await Shell.RunAsync("dpkg", "-i", Deb);
    }

    public async Task PurgeAsync()
    {
        await Shell.RunAsync("dpkg", "--purge", "vdi-broker");
        await using var db = NpgsqlDataSource.Create(SuperuserConnection("postgres"));
        foreach (var sql in new[] { $"drop database if exists \"{Database}\" with (force)", $"drop role if exists \"{Database}_svc\"", $"drop role if exists \"{Database}_own\"" })
        {
            await using var drop = db.CreateCommand(sql);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static NpgsqlConnectionStringBuilder Superuser => new(TestServices.PostgresAdminConnectionString);

    public string SuperuserConnection(string database) => new NpgsqlConnectionStringBuilder(Superuser.ConnectionString) { Database = database }.ConnectionString;

    public string SuperuserUrl(string database)
    {
        var s = Superuser;
        return $"postgresql://{Uri.EscapeDataString(s.Username!)}:{Uri.EscapeDataString(s.Password!)}@{s.Host}:{s.Port}/{database}";
    }

    /// <summary>
    /// What an administrator edits after installing: the connections in vdi-broker.env (the generated passwords
    /// kept; this machine's Postgres and Redis), this host's ports and its own cluster in appsettings.Production.json.
    /// </summary>
    public async Task ConfigureSiteAsync(int siloPort, int gatewayPort, int httpPort)
    {
        var s = Superuser;
        var redis = TestServices.RedisConnectionString.Split(',').Where(p => !p.StartsWith("defaultDatabase", StringComparison.Ordinal));
        var lines = (await File.ReadAllLinesAsync("/etc/vdi-broker/vdi-broker.env")).Select(line =>
            // roles of its own: db-init sets their passwords, and the other tests' vdi_broker must keep its own
            line.StartsWith("Postgres__", StringComparison.Ordinal) ? line.Replace("Host=127.0.0.1;Port=5432;Database=vdi;", $"Host={s.Host};Port={s.Port};Database={Database};")
                .Replace("Username=vdi_broker;", $"Username={Database}_svc;").Replace("Username=vdi_owner;", $"Username={Database}_own;")
            : line.StartsWith("Redis__ConnectionString=", StringComparison.Ordinal) ? $"Redis__ConnectionString={string.Join(',', redis)},defaultDatabase=3"
            : line);
        await File.WriteAllLinesAsync("/etc/vdi-broker/vdi-broker.env", lines);
        var site = await File.ReadAllTextAsync("/etc/vdi-broker/appsettings.Production.json");
        site = site.Replace("\"http://127.0.0.1:8090\"", $"\"http://127.0.0.1:{httpPort}\"")
            .Replace("\"SiloPort\": 11111", $"\"SiloPort\": {siloPort}").Replace("\"GatewayPort\": 30000", $"\"GatewayPort\": {gatewayPort}")
            .Replace("\"ClusterId\": \"vdi\"", $"\"ClusterId\": \"{Database}\"");
        await File.WriteAllTextAsync("/etc/vdi-broker/appsettings.Production.json", site);
    }

    public async Task DisposeAsync()
    {
        if (await Shell.ExitCodeAsync("dpkg", "-s", "vdi-broker") == 0)
        {
            await PurgeAsync();
        }

        _work.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFixture>
{
    public const string Name = "package";
}

/// <summary>One unit started by the systemd stand-in; its output (the stand-in's lines and the service's log) collected.</summary>
public sealed class UnitProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private UnitProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int ServicePid => _pid.Task.Result;

    public static Task<UnitProcess> StartAsync((string Interpreter, string Script) standIn, string unit, string? instance = null)
    {
        var start = new ProcessStartInfo(standIn.Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(standIn.Script);
        start.ArgumentList.Add(unit);
        if (instance is not null)
        {
            start.ArgumentList.Add(instance);
        }

        var unitProcess = new UnitProcess(new Process { StartInfo = start, EnableRaisingEvents = true });
        unitProcess._process.OutputDataReceived += (_, e) => unitProcess.Line(e.Data);
        unitProcess._process.ErrorDataReceived += (_, e) => unitProcess.Line(e.Data);
        unitProcess._process.Start();
        unitProcess._process.BeginOutputReadLine();
        unitProcess._process.BeginErrorReadLine();
        return Task.FromResult(unitProcess);
    }

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line == "READY")
        {
            _ready.TrySetResult();
        }
        else if (line.StartsWith("PID ", StringComparison.Ordinal))
        {
            _pid.TrySetResult(int.Parse(line[4..]));
        }
    }

    public async Task<bool> ReadyAsync(TimeSpan timeout) =>
        await Task.WhenAny(_ready.Task, _process.WaitForExitAsync(), Task.Delay(timeout)) == _ready.Task;

    /// <summary>SIGTERM (systemctl stop), then the service's exit code; -1 if it outlived the timeout.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Shell.Signal(_process.Id, 15);
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (_pid.Task.IsCompleted)
            {
                Shell.Signal(ServicePid, 9);
            }

            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>Commands the package tests run; a failing one fails the test with its output.</summary>
public static class Shell
{
    public static Task<string> RunAsync(string file, params string[] args) => RunAsync(file, args, []);

    public static async Task<string> RunAsync(string file, string[] args, Dictionary<string, string> env)
    {
        var (code, output) = await ExecAsync(file, args, env);
        Assert.True(code == 0, $"{file} {string.Join(' ', args)} exited with {code}:\n{output}");
        return output;
    }

    public static async Task<int> ExitCodeAsync(string file, params string[] args) => (await ExecAsync(file, args, [])).Code;

    /// <summary>What a command printed, whatever its exit code.</summary>
    public static async Task<string> OutputAsync(string file, params string[] args) => (await ExecAsync(file, args, [])).Output;

    private static async Task<(int Code, string Output)> ExecAsync(string file, string[] args, Dictionary<string, string> env)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public static void Signal(int pid, int signal) => Kill(pid, signal);
}

/// <summary>A temporary folder removed with its contents.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("vdi-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
