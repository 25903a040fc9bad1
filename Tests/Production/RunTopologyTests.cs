using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;
using Xunit.Abstractions;

namespace Vdi.Tests.Production;

/// <summary>
/// Issue 16: <c>VDI_SILOS=2 VDI_GATEWAYS=2 scripts/run.sh</c>, as a new user runs it (separate processes, the product's
/// own membership settings, the simulator as the controller), and one silo killed with SIGKILL while a user is in
/// the demo pool's desktop: the other silo takes the grains over, the user gets the same desktop through either
/// gateway, administrators keep working, and nothing is done to the desktop.
/// </summary>
public sealed class RunTopologyTests(ITestOutputHelper output)
{
    private static string Root => Environment.GetEnvironmentVariable("VDI_ROOT") ?? throw new InvalidOperationException("VDI_ROOT is not set: run the tests through scripts/test.sh");

    private static string DataDir => Environment.GetEnvironmentVariable("VDI_DATA_DIR") ?? Path.Combine(Root, ".data");

    /// <summary>A port p such that p and p + 1 are free (run.sh gives the second silo and gateway the next port).</summary>
    private static int PortPair()
    {
        while (true)
        {
            var p = FreePort.Next();
            if (p < 65000 && Free(p + 1))
            {
                return p;
            }
        }

        static bool Free(int port)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task With_two_silos_and_two_gateways_from_run_sh_work_goes_on_when_one_silo_is_killed()
    {
        using var work = new TempFolder();
        var id = Guid.NewGuid().ToString("N")[..8];
        var database = $"vdi_topo_{id}";
        var (silo, siloPort, siloGateway, gateway, simulator) = (PortPair(), PortPair(), PortPair(), PortPair(), FreePort.Next());
        var start = new ProcessStartInfo("bash", [Path.Combine(Root, "scripts/run.sh")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root,
        };
        foreach (var (key, value) in new Dictionary<string, string>
                 {
                     ["VDI_SILOS"] = "2", ["VDI_GATEWAYS"] = "2", ["VDI_NO_BUILD"] = "1", ["VDI_PG_DB"] = database,
                     ["VDI_RUN_DIR"] = Path.Combine(work.Path, "run"), ["VDI_LOG_DIR"] = Path.Combine(work.Path, "logs"),
                     ["VDI_SIMULATOR_STATE"] = Path.Combine(work.Path, "simulator.json"),
                     ["VDI_SILO_HTTP_PORT"] = $"{silo}", ["VDI_SILO_PORT"] = $"{siloPort}", ["VDI_SILO_GATEWAY_PORT"] = $"{siloGateway}",
                     ["VDI_GATEWAY_PORT"] = $"{gateway}", ["VDI_SIMULATOR_PORT"] = $"{simulator}",
                     ["Cluster__ClusterId"] = $"topo-{id}", ["Cluster__ServiceId"] = $"topo-{id}",
                 })
        {
            start.Environment[key] = value;
        }

        var log = new StringBuilder();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var run = new Process { StartInfo = start };
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            if (line.Contains("VDI broker is up.", StringComparison.Ordinal))
            {
                up.TrySetResult();
            }
        }

        run.OutputDataReceived += (_, e) => Line(e.Data);
        run.ErrorDataReceived += (_, e) => Line(e.Data);
        run.Start();
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        string Log()
        {
            lock (log)
            {
                return log.ToString();
            }
        }

        try
        {
            var started = Stopwatch.StartNew();
            await Task.WhenAny(up.Task, run.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(5)));
            Assert.True(up.Task.IsCompleted, $"run.sh did not bring the broker up:\n{Log()}");
            output.WriteLine($"run.sh: two silos, two gateways and the simulator up in {started.Elapsed.TotalSeconds:0} s");

            var (gatewayA, gatewayB) = (new Uri($"http://127.0.0.1:{gateway}"), new Uri($"http://127.0.0.1:{gateway + 1}"));
            var demoPassword = (await File.ReadAllTextAsync(Path.Combine(DataDir, "secrets", "demo-password"))).Trim();
            var adminPassword = (await File.ReadAllTextAsync(Path.Combine(DataDir, "secrets", "admin-password"))).Trim();

            // an administrator and the demo user, who opens the demo pool's desktop through gateway A
            using var admin = new HttpClient { BaseAddress = gatewayB, Timeout = TimeSpan.FromSeconds(30) };
            var adminLogin = await (await admin.PostAsJsonAsync("/api/auth/", new { username = "vdiadmin", password = adminPassword })).Content.ReadFromJsonAsync<JsonElement>();
            admin.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {adminLogin.GetProperty("data").GetProperty("access_token").GetString()}");
            Assert.Equal(2, (await Services(admin)).GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "ACTIVE"));

            // each process's Prometheus endpoint, from this host: the silo's Orleans and Npgsql meters beside the broker's
            var siloMetrics = "";
            string[] prefixes = ["orleans_", "db_client_", "vdi_controllers", "vdi_pool_vms", "vdi_password_hashing_queued", "dotnet_"];
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                siloMetrics = await admin.GetStringAsync($"http://127.0.0.1:{silo}/metrics");
                return prefixes.All(p => siloMetrics.Split('\n').Any(l => l.StartsWith(p, StringComparison.Ordinal)));
            }, TimeSpan.FromSeconds(40)), $"the silo's scrape lacks {string.Join(", ", prefixes.Where(p => !siloMetrics.Contains(p, StringComparison.Ordinal)))}");

            Assert.Contains("http_server_request_duration_seconds", await admin.GetStringAsync($"http://127.0.0.1:{gateway}/metrics"));

            await using var user = new VeilConnectClient(gatewayA);
            Assert.True((await user.LoginAsync("demo", demoPassword)).TryGetProperty("data", out _), "the demo user could not log in");
            Guid poolId = default;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                var pools = await user.GetAsync("/api/client/pools/");
                poolId = pools.Body.GetProperty("data").EnumerateArray().Where(p => p.GetProperty("name").GetString() == "demo")
                    .Select(p => p.GetProperty("id").GetGuid()).FirstOrDefault();
                return poolId != default;
            }, TimeSpan.FromSeconds(60)), $"the demo pool is not offered to the demo user:\n{Log()}");
            Guid vmId = default;
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                var vm = await user.GetVmAsync(poolId);
                return vm.Status == 200 && vm.Body.TryGetProperty("data", out var data) && data.TryGetProperty("vm_id", out var v) && (vmId = v.GetGuid()) != default;
            }, TimeSpan.FromSeconds(120)), "the demo pool gave no desktop");
            await user.ConnectAsync();
            await user.WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
            await user.SendEventAsync(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = vmId, connection_type = "SPICE", is_connection_secure = true });
            await user.SendNetworkStatsAsync(vmId);

            // SIGKILL the first silo: it started first, so it hosts the controller, the pool and the users' grains
            var pidFile = Path.Combine(work.Path, "run", $"silo-{silo}.pid");
            var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
            Shell.Signal(pid, 9);
            var killed = Stopwatch.StartNew();

            // the desktop again, through the other gateway, with the same token: the same VM
            await using var again = new VeilConnectClient(gatewayB);
            await again.LoginWithTokenAsync(user.Token!);
            var served = await Eventually.TrueAsync(async () =>
            {
                try
                {
                    var vm = await again.GetVmAsync(poolId, requestId: 2);
                    return vm.Status == 200 && vm.Body.GetProperty("data").GetProperty("vm_id").GetGuid() == vmId;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(120));
            Assert.True(served, $"no desktop within 120 s of the kill:\n{Log()}");
            var back = killed.Elapsed;
            output.WriteLine($"the same desktop through the other gateway {back.TotalSeconds:0.0} s after SIGKILL of a silo");
            // within VeiL Connect's own wait for a get-VM answer (vm_await_timeout, 65 s by default): the user sees no error
            Assert.True(back < TimeSpan.FromSeconds(65), $"the desktop came back {back.TotalSeconds:0} s after the kill: beyond VeiL Connect's 65 s");
            // the client's socket on gateway A speaks for the session again; if the gateway closed it while the silo was
            // being declared dead, the client reconnects with the same token, as VeiL Connect does every 5 s
            try
            {
                await user.SendNetworkStatsAsync(vmId);
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                output.WriteLine($"gateway A's socket was closed ({user.CloseStatus?.ToString() ?? "aborted"}): reconnecting with the same token");
                await user.ReconnectAsync();
                await user.SendNetworkStatsAsync(vmId);
            }

            // the survivor declares the dead silo dead; administrators work on: a new user, the controller ACTIVE
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                var silos = (await Services(admin)).GetProperty("silos").EnumerateArray().ToList();
                return silos.Count(s => s.GetProperty("status").GetString() == "ACTIVE") == 1
                       && silos.Any(s => s.GetProperty("status").GetString() == "DEAD");
            }, TimeSpan.FromSeconds(120)), "the services list does not show one active and one dead silo");
            output.WriteLine($"the killed silo listed DEAD {killed.Elapsed.TotalSeconds:0.0} s after SIGKILL");
            var created = await admin.PostAsJsonAsync("/api/admin/users", new { username = $"after-kill-{id}", password = "After-kill-1234", first_name = "After" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var controllers = await admin.GetFromJsonAsync<JsonElement>("/api/admin/controllers");
            Assert.Equal("ACTIVE", controllers.GetProperty("results")[0].GetProperty("status").GetString());

            // nothing was done to the desktop: still on, still the user's
            using var sim = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{simulator}") };
            sim.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {(await File.ReadAllTextAsync(Path.Combine(DataDir, "secrets", "simulator-token"))).Trim()}");
            var domain = await sim.GetFromJsonAsync<JsonElement>($"/api/domains/{vmId}/");
            Assert.Equal(3, domain.GetProperty("user_power_state").GetInt32());
            Assert.False(run.HasExited, $"run.sh stopped with the silo:\n{Log()}");
            Assert.Contains("exited; the others keep serving", Log());
        }
        finally
        {
            if (!run.HasExited)
            {
                Shell.Signal(run.Id, 15); // run.sh's trap stops what it started
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                try
                {
                    await run.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    run.Kill(entireProcessTree: true);
                }
            }

            foreach (var pidFile in Directory.Exists(Path.Combine(work.Path, "run")) ? Directory.GetFiles(Path.Combine(work.Path, "run"), "*.pid") : [])
            {
                // anything the trap missed, if that pid is still one of this broker's processes (a pid is reused)
                if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var left) && File.Exists($"/proc/{left}/cmdline")
                    && File.ReadAllText($"/proc/{left}/cmdline").Contains("Vdi.", StringComparison.Ordinal))
                {
                    Shell.Signal(left, 9);
                }
            }

            await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(TestServices.PostgresAdminConnectionString) { Database = "postgres" }.ConnectionString);
            await using var drop = db.CreateCommand($"drop database if exists \"{database}\" with (force)");
            await drop.ExecuteNonQueryAsync();
            output.WriteLine(Log());
        }
    }

    private static async Task<JsonElement> Services(HttpClient admin) => await admin.GetFromJsonAsync<JsonElement>("/api/admin/services");
}
