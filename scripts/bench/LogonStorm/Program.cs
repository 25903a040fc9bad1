using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Vdi.Bench.LogonStorm;

// The 9:00 logon storm: N thin clients log in, open their WebSocket, list pools and get a VM — all at once
// (burst), then at a steady arrival rate. Arguments: gateway URL, admin user, admin password, controller id,
// clients, rate per second, warm-up clients (default 0).
var gateway = new Uri(args[0]);
var (adminUser, adminPassword, controllerId) = (args[1], args[2], Guid.Parse(args[3]));
var clients = int.Parse(args[4]);
var rate = int.Parse(args[5]);
var warmup = args.Length > 6 ? int.Parse(args[6]) : 0;

var admin = await Api.AdminAsync(gateway, adminUser, adminPassword);
Console.WriteLine($"setup: pool of {clients + warmup} VMs and {clients + warmup} users ...");
var setup = Stopwatch.StartNew();
var (poolId, vmCount) = await Setup.PoolAsync(admin, controllerId, clients + warmup);
var everyone = Environment.GetEnvironmentVariable("STORM_LDAP_URL") is { Length: > 0 } ldapUrl
    ? await Setup.DirectoryUsersAsync(admin, poolId, clients + warmup, new Uri(ldapUrl))
    : await Setup.UsersAsync(admin, poolId, clients + warmup);
var users = everyone.Take(clients).ToList();
if (warmup > 0)
{
    // a broker that has served logins before 9:00 has compiled its login path: warm-up clients of their own, not
    // counted (BENCH_WARMUP=0 measures a cold start). Two rounds with a pause after each: the runtime starts counting
    // calls only once the first round's compiling has quietened, so the second round is what promotes the hot path
    // to optimized code, and the pause lets the background compiler finish before the storm.
    var served = 0;
    foreach (var round in everyone.Skip(clients).Chunk((warmup + 1) / 2))
    {
        var run = await Storm.RunAsync(gateway, poolId, round, arrivalsPerSecond: 100);
        served += run.Outcomes.Count(o => o.Ok);
        Report.Failures(run);
        await Setup.FreeAllAsync(admin, poolId);
        await Task.Delay(TimeSpan.FromSeconds(3));
    }

    Console.WriteLine($"warm-up: {served} of {warmup} clients served, not counted");
}

Console.WriteLine($"setup: {vmCount} VMs, {users.Count} users in {setup.Elapsed.TotalSeconds:0.0} s");

var before = await Probe.ReadAsync();
var burst = await Storm.RunAsync(gateway, poolId, users, arrivalsPerSecond: null);
var after = await Probe.ReadAsync();
Report.Print("burst (all clients at once)", burst);
Report.Cost(burst, before, after, floorOfBurst: true);

await Setup.FreeAllAsync(admin, poolId);
before = await Probe.ReadAsync();
var steady = await Storm.RunAsync(gateway, poolId, users, arrivalsPerSecond: rate);
after = await Probe.ReadAsync();
Report.Print($"steady ({rate} new clients per second)", steady);
Report.Cost(steady, before, after, floorOfBurst: false);
Report.Machine(burst, steady);

namespace Vdi.Bench.LogonStorm
{
    public static class Api
    {
        public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

        /// <summary>The storm's users are directory users: their logins carry <c>"ldap": true</c>.</summary>
        public static bool Ldap { get; set; }

        public static async Task<HttpClient> AdminAsync(Uri gateway, string user, string password)
        {
            var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(10) };
            var token = await LoginAsync(http, user, password);
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"JWT {token}");
            return http;
        }

        public static async Task<string> LoginAsync(HttpClient http, string user, string password)
        {
            var reply = await http.PostAsJsonAsync("/api/auth/", new { username = user, password, ldap = Ldap && user.StartsWith("storm-", StringComparison.Ordinal), veil_connect_version = "1.14.9" });
            var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
            return body.TryGetProperty("data", out var data)
                ? data.GetProperty("access_token").GetString()!
                : throw new InvalidOperationException($"login of {user} failed: {body}");
        }
    }

    public static class Setup
    {
        public static async Task<(Guid Pool, long Vms)> PoolAsync(HttpClient admin, Guid controller, int size)
        {
            async Task<Guid> First(string kind, string? name = null)
            {
                var items = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controller}/{kind}");
                return items.EnumerateArray().First(i => name is null || i.GetProperty("verbose_name").GetString() == name).GetProperty("id").GetGuid();
            }

            var reply = await admin.PostAsJsonAsync("/api/admin/pools", new
            {
                pool_type = "AUTOMATED",
                verbose_name = $"storm-{Guid.NewGuid():N}"[..14],
                controller_id = controller,
                resource_pool_id = await First("resource-pools"),
                datapool_id = await First("data-pools"),
                template_id = await First("templates", "tpl-win10"),
                vm_name_template = "storm",
                initial_size = size,
                total_size = size,
                reserve_size = 1,
                increase_step = 1,
                connection_types = new[] { "SPICE" },
            });
            var pool = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            while (true)
            {
                var view = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/pools/{pool}");
                if (view.GetProperty("status").GetString() == "ACTIVE")
                {
                    return (pool, view.GetProperty("vm_count").GetInt64());
                }

                await Task.Delay(1000);
            }
        }

        public static async Task<List<(string Name, string Password)>> UsersAsync(HttpClient admin, Guid pool, int count)
        {
            var users = new List<(string, string)>();
            var ids = new List<Guid>();
            var gate = new SemaphoreSlim(8);
            await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    var name = $"storm-{Guid.NewGuid():N}"[..20];
                    var reply = await admin.PostAsJsonAsync("/api/admin/users", new { username = name, password = "storm-password" });
                    var id = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                    lock (users)
                    {
                        users.Add((name, "storm-password"));
                        ids.Add(id);
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
            (await admin.PostAsJsonAsync($"/api/admin/pools/{pool}/entitlements", new { users = ids })).EnsureSuccessStatusCode();
            return users;
        }

        /// <summary>
        /// The users bench.sh put in slapd (uid=storm-00001... under ou=storm): a directory for them whose OU mapping puts
        /// each, created at its first login, in a group entitled to the pool.
        /// </summary>
        public static async Task<List<(string Name, string Password)>> DirectoryUsersAsync(HttpClient admin, Guid pool, int count, Uri ldap)
        {
            var group = await admin.PostAsJsonAsync("/api/admin/groups", new { verbose_name = $"storm-{Guid.NewGuid():N}"[..14], description = "logon storm" });
            var groupId = (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            (await admin.PostAsJsonAsync($"/api/admin/pools/{pool}/entitlements", new { groups = new[] { groupId } })).EnsureSuccessStatusCode();
            var directory = await admin.PostAsJsonAsync("/api/admin/directories", new
            {
                verbose_name = $"storm-{Guid.NewGuid():N}"[..14], kind = "OPEN_LDAP", servers = new[] { $"{ldap.Host}:{ldap.Port}" }, security = "NONE",
                base_dn = Environment.GetEnvironmentVariable("STORM_LDAP_BASE"), service_dn = Environment.GetEnvironmentVariable("STORM_LDAP_SERVICE_DN"),
                service_password = Environment.GetEnvironmentVariable("STORM_LDAP_SERVICE_PASSWORD"), domain = "STORM",
                mappings = new[] { new { name = "storm", kind = "OU", values = new[] { "storm" }, groups = new[] { groupId }, priority = 10 } },
            });
            if (!directory.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"the directory was refused: {await directory.Content.ReadAsStringAsync()}");
            }

            Api.Ldap = true;
            var width = count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            return [.. Enumerable.Range(1, count).Select(i => ($"storm-{i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0')}", "storm-password"))];
        }

        public static async Task FreeAllAsync(HttpClient admin, Guid pool)
        {
            var page = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/pools/{pool}/vms?limit=1000");
            var vms = new List<(Guid Vm, Guid Owner)>();
            for (var offset = 0; offset < page.GetProperty("count").GetInt64(); offset += 1000)
            {
                var chunk = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/pools/{pool}/vms?limit=1000&offset={offset}");
                vms.AddRange(chunk.GetProperty("results").EnumerateArray()
                    .SelectMany(v => v.GetProperty("owners").EnumerateArray().Select(o => (v.GetProperty("id").GetGuid(), o.GetGuid()))));
            }

            var gate = new SemaphoreSlim(16);
            await Task.WhenAll(vms.Select(async v =>
            {
                await gate.WaitAsync();
                try
                {
                    (await admin.PostAsJsonAsync($"/api/admin/vms/{v.Vm}/free", new { user_id = v.Owner })).EnsureSuccessStatusCode();
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
    }

    public sealed record Outcome(bool Ok, double LoginMs, double GetVmMs, string? Error);

    public sealed record Run(List<Outcome> Outcomes, TimeSpan Elapsed);

    public static partial class Storm
    {
        public static async Task<Run> RunAsync(Uri gateway, Guid pool, IReadOnlyList<(string Name, string Password)> users, int? arrivalsPerSecond)
        {
            var clock = Stopwatch.StartNew();
            var tasks = new List<Task<Outcome>>();
            for (var i = 0; i < users.Count; i++)
            {
                if (arrivalsPerSecond is { } r)
                {
                    var due = TimeSpan.FromSeconds((double)i / r);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed);
                    }
                }

                var user = users[i];
                tasks.Add(Task.Run(() => ClientAsync(gateway, pool, user.Name, user.Password)));
            }

            var outcomes = await Task.WhenAll(tasks);
            return new Run([.. outcomes], clock.Elapsed);
        }

        /// <summary>
        /// One connection pool for all simulated clients: each client still has its own headers and token, and the pool
        /// opens as many connections as there are requests in flight (no cap: a capped pool made a logged-in client's
        /// get-VM wait for a connection held by someone else's queued login, which real clients, each on its own
        /// connection, never do), but the load generator, which shares the broker's cores, reuses them instead of
        /// paying for a TCP handshake and a handler per client.
        /// </summary>
        private static readonly SocketsHttpHandler Connections = new() { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };

        private static async Task<Outcome> ClientAsync(Uri gateway, Guid pool, string user, string password)
        {
            using var http = new HttpClient(Connections, disposeHandler: false) { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("thin-client");
            try
            {
                var watch = Stopwatch.StartNew();
                var token = await Api.LoginAsync(http, user, password);
                var login = watch.Elapsed.TotalMilliseconds;
                http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {token}");
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(new Uri($"ws://{gateway.Authority}/api/ws/client/?token={token}&is_conn_init_by_user=1&veil_connect_version=1.14.9"), CancellationToken.None);
                var buffer = new byte[4096];
                var first = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (!Encoding.UTF8.GetString(buffer, 0, first.Count).Contains("Auth success"))
                {
                    return new Outcome(false, login, 0, "no Auth success");
                }

                // keep reading as VeilConnect does: a socket nobody reads answers no pings, and the gateway drops it
                var reading = DrainAsync(socket, buffer);
                (await http.GetAsync("/api/client/pools")).EnsureSuccessStatusCode();
                watch.Restart();
                var reply = await http.PostAsJsonAsync($"/api/client/pools/{pool}", new { remote_protocol = "SPICE", request_id = 1 });
                var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
                var getVm = watch.Elapsed.TotalMilliseconds;
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                await reading;
                return body.TryGetProperty("data", out _) ? new Outcome(true, login, getVm, null) : new Outcome(false, login, getVm, body.ToString());
            }
            catch (Exception e) when (e is HttpRequestException or WebSocketException or InvalidOperationException or TaskCanceledException or JsonException)
            {
                return new Outcome(false, 0, 0, e.Message);
            }
        }
    }

    public static partial class Storm
    {
        /// <summary>Reads (and drops) what the broker pushes until the socket closes.</summary>
        private static async Task DrainAsync(ClientWebSocket socket, byte[] buffer)
        {
            try
            {
                while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
                {
                    if ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                }
            }
            catch (WebSocketException)
            {
                // the outcome is decided by the HTTP calls and the close
            }
        }
    }

    /// <summary>
    /// The machine's counters, read by the command in STORM_PROBE (bench.sh writes it): lines of "name value" with the
    /// CPU seconds of silo, gateway, simulator and Postgres, of the silo's password-hashing threads ("hash"), and
    /// Postgres' commits and statements. Empty when no probe is set.
    /// </summary>
    public static class Probe
    {
        public static async Task<Dictionary<string, double>> ReadAsync()
        {
            var values = new Dictionary<string, double>();
            if (Environment.GetEnvironmentVariable("STORM_PROBE") is not { Length: > 0 } probe)
            {
                return values;
            }

            using var process = Process.Start(new ProcessStartInfo("bash", [probe]) { RedirectStandardOutput = true })!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ', 2);
                if (parts.Length == 2 && double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var value))
                {
                    values[parts[0]] = value;
                }
            }

            return values;
        }
    }

    public static class Report
    {
        /// <summary>
        /// The broker's own cost per logon (CPU of every process but the load generator, less the hashing threads',
        /// divided by the logons), Postgres' commits and statements per logon, and the hash floor: one verification's
        /// CPU (the hashing threads' CPU / logons) times the logons / cores, the shortest time a burst can take.
        /// </summary>
        public static void Cost(Run run, Dictionary<string, double> before, Dictionary<string, double> after, bool floorOfBurst)
        {
            double D(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
            var logons = run.Outcomes.Count(o => o.Ok);
            if (logons == 0 || after.Count == 0)
            {
                return;
            }

            string[] processes = ["silo", "gateway", "postgres", "simulator"];
            var hash = D("hash");
            var total = processes.Sum(D);
            var own = total - hash;
            var perHash = hash / logons;
            Console.WriteLine($"   CPU per logon: broker without hashing {own * 1000 / logons:0.00} ms (" +
                              string.Join(", ", processes.Select(p => $"{p} {(D(p) - (p == "silo" ? hash : 0)) * 1000 / logons:0.00}")) +
                              $"), hashing {perHash * 1000:0.00} ms");
            if (after.ContainsKey("commits"))
            {
                Console.WriteLine($"   Postgres per logon: {D("commits") / logons:0.00} commits, " +
                                  (after.GetValueOrDefault("statements") > 0 ? $"{D("statements") / logons:0.0} statements" : "statements n/a (pg_stat_statements not loaded)"));
            }

            if (floorOfBurst && perHash > 0)
            {
                var floor = perHash * logons / Environment.ProcessorCount;
                Console.WriteLine($"   hash floor: {floor:0.00} s ({perHash * 1000:0.00} ms x {logons} / {Environment.ProcessorCount} cores); " +
                                  $"burst served in {run.Elapsed.TotalSeconds / floor:0.00} x the floor");
            }
        }

        public static void Print(string title, Run run)
        {
            var ok = run.Outcomes.Where(o => o.Ok).ToList();
            Console.WriteLine($"== {title}");
            Console.WriteLine($"   clients {run.Outcomes.Count}, succeeded {ok.Count}, failed {run.Outcomes.Count - ok.Count}");
            Failures(run);

            Console.WriteLine($"   all clients served in {run.Elapsed.TotalSeconds:0.00} s; VM assignments per second {ok.Count / run.Elapsed.TotalSeconds:0.0}");
            Console.WriteLine($"   login  ms p50 {P(ok, o => o.LoginMs, 50):0} p95 {P(ok, o => o.LoginMs, 95):0} p99 {P(ok, o => o.LoginMs, 99):0}");
            Console.WriteLine($"   get-VM ms p50 {P(ok, o => o.GetVmMs, 50):0} p95 {P(ok, o => o.GetVmMs, 95):0} p99 {P(ok, o => o.GetVmMs, 99):0}");
        }

        public static void Failures(Run run)
        {
            foreach (var error in run.Outcomes.Where(o => !o.Ok).GroupBy(o => o.Error).Take(3))
            {
                Console.WriteLine($"   failure x{error.Count()}: {error.Key}");
            }
        }

        public static void Machine(Run burst, Run steady) =>
            Console.WriteLine($"RESULT burst_seconds={burst.Elapsed.TotalSeconds:0.00} burst_failures={burst.Outcomes.Count(o => !o.Ok)} " +
                              $"steady_getvm_p99_ms={P(steady.Outcomes.Where(o => o.Ok).ToList(), o => o.GetVmMs, 99):0} steady_failures={steady.Outcomes.Count(o => !o.Ok)} " +
                              $"assignments_per_second={burst.Outcomes.Count(o => o.Ok) / burst.Elapsed.TotalSeconds:0.0}");

        private static double P(List<Outcome> items, Func<Outcome, double> value, int percentile)
        {
            if (items.Count == 0)
            {
                return 0;
            }

            var sorted = items.Select(value).Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }
}
