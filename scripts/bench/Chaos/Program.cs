using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using Vdi.Bench.Chaos;

// The chaos benchmark (issue 13): N thin clients in their desktops, behaving as VeiL Connect does (network_stats
// every 5 s, the socket reconnected every 5 s after a loss, to the other gateway when its own is gone), while faults
// hit the system one after another. Arguments: gateway URLs (comma-separated), admin user, admin password,
// controller id, clients, Postgres connection string, fault script (called as "<script> <verb>").
var gateways = args[0].Split(',').Select(u => new Uri(u)).ToArray();
var (adminUser, adminPassword, controllerId) = (args[1], args[2], Guid.Parse(args[3]));
var clients = int.Parse(args[4]);
var db = NpgsqlDataSource.Create(args[5]);
var faultScript = args[6];

var admin = await Api.AdminAsync(gateways[0], adminUser, adminPassword);
Console.WriteLine($"setup: a pool of {clients} VMs that shuts a VM down 5 s after its user left, {clients} users ...");
var setup = Stopwatch.StartNew();
var pool = await Api.PoolAsync(admin, controllerId, clients);
var users = await Api.UsersAsync(admin, pool, clients);
var fleet = users.Select((u, i) => new Client(u.Name, u.Password, gateways, i % gateways.Length, pool)).ToList();
using var stop = new CancellationTokenSource();
var running = fleet.Select(c => Task.Run(() => c.RunAsync(stop.Token))).ToList();
if (!await Wait.UntilAsync(() => fleet.All(c => c.InDesktop && c.SocketOpen), TimeSpan.FromMinutes(5)))
{
    Console.WriteLine($"setup: only {fleet.Count(c => c.InDesktop && c.SocketOpen)} of {clients} clients reached their desktops");
}

Console.WriteLine($"setup: {fleet.Count(c => c.InDesktop)} clients in their desktops in {setup.Elapsed.TotalSeconds:0.0} s");
await Task.Delay(TimeSpan.FromSeconds(10)); // a steady state before the first fault

var faults = new (string Name, string Start, string? End, TimeSpan Hold)[]
{
    ("kill -9 of a gateway (its clients move to the other)", "kill-gateway", "start-gateway", TimeSpan.FromSeconds(15)),
    ("Postgres stopped 30 s", "stop-postgres", "start-postgres", TimeSpan.FromSeconds(30)),
    ("kill -9 of a silo", "kill-silo", "start-silo", TimeSpan.FromSeconds(15)),
    ("Redis stopped 20 s", "stop-redis", "start-redis", TimeSpan.FromSeconds(20)),
    ("the controller hung 30 s", "hang-controller", "free-controller", TimeSpan.FromSeconds(30)),
};

var rows = new List<string>();
var totalBad = false;
foreach (var (name, start, end, hold) in faults)
{
    var actionsBefore = await Db.ActionsAsync(db, pool);
    Stats.Reset();
    foreach (var c in fleet)
    {
        c.ResetPhase();
    }

    Console.WriteLine($"fault: {name}");
    await Fault.RunAsync(faultScript, start);
    await Task.Delay(hold);
    if (end is not null)
    {
        await Fault.RunAsync(faultScript, end);
    }

    var ended = DateTime.UtcNow;
    Client.StartProbing(); // every client checks every second (at once) until it is served again
    var recovered = await Wait.UntilAsync(() => fleet.All(c => c.ServedSince(ended)), TimeSpan.FromSeconds(120));
    var recovery = recovered ? fleet.Max(c => c.FirstServedAfter(ended)) - ended : (TimeSpan?)null;
    Client.Probing = false;
    await Task.Delay(TimeSpan.FromSeconds(10)); // anything the fault set off (a disconnect action 5 s later) shows
    var acted = await Db.ActionsAsync(db, pool) - actionsBefore;
    var wedged = await Db.WedgedTasksAsync(db);
    var s = Stats.Snapshot();
    var row = $"   {name,-52} acted on {acted}, sockets lost {fleet.Sum(c => c.PhaseLosses)} / re-established {fleet.Sum(c => c.PhaseReconnects)}, " +
              $"HTTP {s.Statuses}, non-503 5xx {s.Other5xx}, 401 for valid tokens {s.Spurious401}, " +
              $"served again {(recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "NOT within 120 s")} after the fault ended, tasks IN_PROGRESS {wedged}";
    Console.WriteLine(row);
    rows.Add(row);
    totalBad |= acted > 0 || s.Other5xx > 0 || s.Spurious401 > 0 || recovery is null || recovery > TimeSpan.FromSeconds(10) || wedged > 0;
}

await stop.CancelAsync();
await Task.WhenAll(running);
var powered = await Db.NotOnAsync(db, pool);
Console.WriteLine("== chaos: per fault (targets: 0 acted on, 0 non-503 5xx, 0 spurious 401, served again within 10 s, 0 tasks IN_PROGRESS)");
rows.ForEach(Console.WriteLine);
Console.WriteLine($"   desktops not ON at the end: {powered} of {clients}; journal entries of the pool's actions after disconnect: {await Db.ActionsAsync(db, pool)}");
Console.WriteLine($"   verdict: {(totalBad ? "targets missed" : "all targets met")}");

namespace Vdi.Bench.Chaos
{
    public static class Api
    {
        public static async Task<HttpClient> AdminAsync(Uri gateway, string user, string password)
        {
            var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(10) };
            var reply = await http.PostAsJsonAsync("/api/auth/", new { username = user, password, veil_connect_version = "1.14.9" });
            var token = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("access_token").GetString();
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"JWT {token}");
            return http;
        }

        public static async Task<Guid> PoolAsync(HttpClient admin, Guid controller, int size)
        {
            async Task<Guid> First(string kind, string? name = null)
            {
                var items = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/controllers/{controller}/{kind}");
                return items.EnumerateArray().First(i => name is null || i.GetProperty("verbose_name").GetString() == name).GetProperty("id").GetGuid();
            }

            var reply = await admin.PostAsJsonAsync("/api/admin/pools", new
            {
                pool_type = "AUTOMATED",
                verbose_name = $"chaos-{Guid.NewGuid():N}"[..14],
                controller_id = controller,
                resource_pool_id = await First("resource-pools"),
                datapool_id = await First("data-pools"),
                template_id = await First("templates", "tpl-win10"),
                vm_name_template = "chaos",
                initial_size = size,
                total_size = size,
                reserve_size = 1,
                increase_step = 1,
                connection_types = new[] { "SPICE" },
                vm_action_upon_user_disconnect = "SHUTDOWN",
                vm_disconnect_action_timeout = 5,
            });
            var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
            var pool = body.TryGetProperty("id", out var id) ? id.GetGuid() : throw new InvalidOperationException($"pool not created: {body}");
            while ((await admin.GetFromJsonAsync<JsonElement>($"/api/admin/pools/{pool}")).GetProperty("status").GetString() != "ACTIVE")
            {
                await Task.Delay(1000);
            }

            return pool;
        }

        public static async Task<List<(string Name, string Password)>> UsersAsync(HttpClient admin, Guid pool, int count)
        {
            var users = new ConcurrentBag<(string, string, Guid)>();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
            {
                var name = $"chaos-{Guid.NewGuid():N}"[..20];
                var reply = await admin.PostAsJsonAsync("/api/admin/users", new { username = name, password = "chaos-password" }, ct);
                users.Add((name, "chaos-password", (await reply.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid()));
            });
            (await admin.PostAsJsonAsync($"/api/admin/pools/{pool}/entitlements", new { users = users.Select(u => u.Item3) })).EnsureSuccessStatusCode();
            return [.. users.Select(u => (u.Item1, u.Item2))];
        }
    }

    /// <summary>HTTP answers of the current phase, by status.</summary>
    public static class Stats
    {
        private static ConcurrentDictionary<int, int> _statuses = new();
        private static int _spurious401;

        public static void Reset()
        {
            _statuses = new ConcurrentDictionary<int, int>();
            _spurious401 = 0;
        }

        public static void Http(int status)
        {
            _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status == 401)
            {
                Interlocked.Increment(ref _spurious401); // every client's token stays valid: a 401 is always spurious here
            }
        }

        public static (string Statuses, int Other5xx, int Spurious401) Snapshot() =>
            (string.Join(" ", _statuses.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{kv.Value}")),
             _statuses.Where(kv => kv.Key >= 500 && kv.Key != 503).Sum(kv => kv.Value), _spurious401);
    }

    /// <summary>One VeiL Connect: logs in once, gets its VM, and stays in its desktop through every fault.</summary>
    public sealed class Client(string name, string password, Uri[] gateways, int gateway, Guid pool)
    {
        private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(30) };
        private string? _token;
        private Guid _vm;
        private ClientWebSocket? _socket;
        private int _gateway = gateway;
        private DateTime _lastServed;
        private readonly ConcurrentQueue<DateTime> _served = new();

        public static volatile bool Probing;

        private static CancellationTokenSource _wake = new();

        /// <summary>From now on every client checks every second, starting at once (its 5-s wait is cut short).</summary>
        public static void StartProbing()
        {
            Probing = true;
            var wake = Interlocked.Exchange(ref _wake, new CancellationTokenSource());
            wake.Cancel();
        }

        public bool InDesktop => _vm != Guid.Empty;

        public bool SocketOpen => _socket?.State == WebSocketState.Open;

        public int PhaseLosses;
        public int PhaseReconnects;

        public void ResetPhase()
        {
            PhaseLosses = 0;
            PhaseReconnects = 0;
            _served.Clear();
        }

        /// <summary>Served again: an HTTP answer 200 and an open socket, both after the fault ended.</summary>
        public bool ServedSince(DateTime t) => SocketOpen && _lastServed > t;

        public DateTime FirstServedAfter(DateTime t) => _served.Where(s => s > t).DefaultIfEmpty(DateTime.UtcNow).Min();

        private async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(gateways[_gateway], path));
            request.Headers.UserAgent.ParseAdd("thin-client");
            if (_token is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", $"jwt {_token}");
            }

            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            try
            {
                using var reply = await Http.SendAsync(request);
                var status = (int)reply.StatusCode;
                var text = await reply.Content.ReadAsStringAsync();
                return (status, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                _gateway = (_gateway + 1) % gateways.Length; // its gateway is gone: the load balancer sends it to the other
                return (0, default);
            }
        }

        public async Task RunAsync(CancellationToken ct)
        {
            while (_token is null && !ct.IsCancellationRequested)
            {
                var (status, body) = await SendAsync(HttpMethod.Post, "/api/auth/", new { username = name, password, code = "", ldap = false, veil_connect_version = "1.14.9" });
                if (status == 200 && body.TryGetProperty("data", out var data))
                {
                    _token = data.GetProperty("access_token").GetString();
                }
                else
                {
                    await Task.Delay(1000, CancellationToken.None);
                }
            }

            while (_vm == Guid.Empty && !ct.IsCancellationRequested)
            {
                var (status, body) = await SendAsync(HttpMethod.Post, $"/api/client/pools/{pool}", new { remote_protocol = "SPICE", request_id = 1 });
                if (status == 200 && body.TryGetProperty("data", out var data))
                {
                    _vm = data.GetProperty("vm_id").GetGuid();
                }
                else
                {
                    await Task.Delay(1000, CancellationToken.None);
                }
            }

            var sentConnected = false;
            var nextHttp = DateTime.UtcNow;
            while (!ct.IsCancellationRequested)
            {
                if (!SocketOpen)
                {
                    if (_socket is not null)
                    {
                        Interlocked.Increment(ref PhaseLosses);
                        _socket.Dispose();
                        _socket = null;
                    }

                    if (await ConnectAsync())
                    {
                        if (sentConnected)
                        {
                            Interlocked.Increment(ref PhaseReconnects); // and, as VeiL Connect, no vm_connected again
                        }
                        else
                        {
                            await SendTextAsync(JsonSerializer.Serialize(new { msg_type = "UPDATED", @event = "vm_connected", vm_id = _vm, connection_type = "SPICE", is_connection_secure = false }));
                            sentConnected = true;
                        }
                    }
                }

                if (SocketOpen)
                {
                    await SendTextAsync(JsonSerializer.Serialize(new { msg_type = "UPDATED", @event = "network_stats", vm_id = _vm, connection_type = "SPICE", total = 100, avg_rtt = 1.5 }));
                }

                if (DateTime.UtcNow >= nextHttp || Probing)
                {
                    var (status, _) = await SendAsync(HttpMethod.Get, "/api/client/pools");
                    if (status != 0)
                    {
                        Stats.Http(status);
                    }

                    if (status == 200)
                    {
                        _lastServed = DateTime.UtcNow;
                        _served.Enqueue(_lastServed);
                    }

                    nextHttp = DateTime.UtcNow.AddSeconds(10);
                }

                try
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, _wake.Token);
                    await Task.Delay(Probing ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5), wait.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            _socket?.Abort();
        }

        private async Task<bool> ConnectAsync()
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", "veil_connect_trusted_origin");
            var g = gateways[_gateway];
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(new Uri($"ws://{g.Authority}/api/ws/client/?token={_token}&is_conn_init_by_user=1&veil_connect_version=1.14.9&tk_os=Linux"), timeout.Token);
                _socket = socket;
                _ = Task.Run(() => DrainAsync(socket));
                return true;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException)
            {
                socket.Dispose();
                _gateway = (_gateway + 1) % gateways.Length;
                return false;
            }
        }

        /// <summary>Reads (and drops) what the broker sends, so its pings are answered and a close is seen.</summary>
        private static async Task DrainAsync(ClientWebSocket socket)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    if ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        private async Task SendTextAsync(string text)
        {
            try
            {
                await _socket!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
        }
    }

    public static class Fault
    {
        public static async Task RunAsync(string script, string verb)
        {
            using var process = Process.Start(new ProcessStartInfo("bash", [script, "fault", verb]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var err = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"   ({verb} exited {process.ExitCode}: {(await err).Trim()})");
            }
        }
    }

    public static class Wait
    {
        public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(250);
            }

            return true;
        }
    }

    public static class Db
    {
        public static async Task<long> ActionsAsync(NpgsqlDataSource db, Guid pool) => await ScalarAsync(db,
            "select count(*) from vdi_journal j join vdi_vms v on v.id = j.entity_id where v.pool_id = @p and j.message like 'Action upon user disconnect completed.%'", pool);

        public static Task<long> NotOnAsync(NpgsqlDataSource db, Guid pool) =>
            ScalarAsync(db, "select count(*) from vdi_vms where pool_id = @p and power_state <> 3", pool);

        public static Task<long> WedgedTasksAsync(NpgsqlDataSource db) =>
            ScalarAsync(db, "select count(*) from vdi_tasks where status = 'IN_PROGRESS' and created < now() - interval '2 minutes'", null);

        private static async Task<long> ScalarAsync(NpgsqlDataSource db, string sql, Guid? pool)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await using var cmd = db.CreateCommand(sql);
                    if (pool is { } p)
                    {
                        cmd.Parameters.AddWithValue("p", p);
                    }

                    return (long)(await cmd.ExecuteScalarAsync())!;
                }
                catch (NpgsqlException) when (attempt < 20)
                {
                    db.Clear(); // the bench stopped the server a moment ago
                    await Task.Delay(500);
                }
            }
        }
    }
}
