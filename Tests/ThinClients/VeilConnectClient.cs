using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// A thin client that speaks like VeiL Connect 1.14.9: the same paths (with /api), headers (<c>User-Agent: thin-client</c>,
/// <c>Authorization: jwt ...</c>), WebSocket query and messages.
/// </summary>
public sealed class VeilConnectClient : IAsyncDisposable
{
    public const string Version = "1.14.9";
    private readonly Uri _broker;
    private readonly Uri _socketBroker;
    private readonly HttpClient _http;
    private JsonWebSocket? _socket;
    private ClientWebSocket? _silent;
    private readonly Func<SocketsHttpHandler>? _network;

    /// <param name="broker">Where HTTP calls go.</param>
    /// <param name="socketBroker">Where the WebSocket goes (another gateway behind a load balancer); the same by default.</param>
    public VeilConnectClient(Uri broker, Uri? socketBroker = null)
        : this(broker, socketBroker, network: null)
    {
    }

    /// <param name="network">The HTTP stack for the client's calls and socket (a test CA's trust, a client address of its own).</param>
    public VeilConnectClient(Uri broker, Uri? socketBroker, Func<SocketsHttpHandler>? network)
    {
        _broker = broker;
        _socketBroker = socketBroker ?? broker;
        _network = network;
        _http = network is null ? new HttpClient() : new HttpClient(network());
        _http.BaseAddress = broker;
        _http.Timeout = TimeSpan.FromSeconds(90);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("thin-client");
    }

    public string? Token { get; private set; }

    public WebSocketCloseStatus? CloseStatus => _socket?.CloseStatus;

    public async Task<JsonElement> LoginAsync(string username, string password, string code = "", string version = Version, bool ldap = false)
    {
        var reply = await _http.PostAsJsonAsync("/api/auth/", new { username, password, code, ldap, veil_connect_version = version });
        var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
        KeepToken(body);
        return body;
    }

    private void KeepToken(JsonElement body)
    {
        if (body.TryGetProperty("data", out var data))
        {
            Token = data.GetProperty("access_token").GetString();
            _http.DefaultRequestHeaders.Remove("Authorization");
            _http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {Token}");
        }
    }

    /// <summary>A login whose answer is read whatever it is (status and Retry-After), for the outage tests.</summary>
    public async Task<(int Status, string? RetryAfter)> LoginRawAsync(string username, string password)
    {
        var reply = await _http.PostAsJsonAsync("/api/auth/", new { username, password, code = "", ldap = false, veil_connect_version = Version });
        if (reply.IsSuccessStatusCode)
        {
            KeepToken(await reply.Content.ReadFromJsonAsync<JsonElement>());
        }

        return ((int)reply.StatusCode, reply.Headers.RetryAfter?.ToString());
    }

    /// <summary>Uses a token another client of the same user got (the same VeiL Connect, reconnecting elsewhere).</summary>
    public Task LoginWithTokenAsync(string token)
    {
        Token = token;
        _http.DefaultRequestHeaders.Remove("Authorization");
        _http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {Token}");
        return Task.CompletedTask;
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path)
    {
        var reply = await _http.GetAsync(path);
        return ((int)reply.StatusCode, await reply.Content.ReadFromJsonAsync<JsonElement>());
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object? body = null)
    {
        var reply = await _http.PostAsJsonAsync(path, body ?? new { });
        return ((int)reply.StatusCode, await reply.Content.ReadFromJsonAsync<JsonElement>());
    }

    public Task<(int Status, JsonElement Body)> GetVmAsync(Guid pool, string protocol = "SPICE", long requestId = 1) =>
        PostAsync($"/api/client/pools/{pool}", new { remote_protocol = protocol, request_id = requestId });

    /// <summary>Opens the WebSocket as VeiL Connect does (note the slash before the query).</summary>
    public async Task ConnectAsync(string? token = null, IReadOnlyDictionary<string, string>? headers = null) =>
        _socket = await JsonWebSocket.ConnectAsync(
            new Uri($"{(_socketBroker.Scheme == "https" ? "wss" : "ws")}://{_socketBroker.Authority}/api/ws/client/?token={token ?? Token}&is_conn_init_by_user=1&veil_connect_version={Version}&tk_os=Linux&mac_address=00:11:22:33:44:55&hostname=desk-1"),
            origin: "veil_connect_trusted_origin", headers, _network is null ? null : new HttpMessageInvoker(_network()));

    /// <summary>The socket's connection drops without a close frame (a network blip); the client may connect again.</summary>
    public void CutSocket() => _socket!.Abort();

    /// <summary>A close frame, then the connection dropped at once (a client that quits).</summary>
    public Task CloseSocketAndDropAsync() => _socket!.CloseAndDropAsync();

    /// <summary>Whether the broker closed the socket within the timeout.</summary>
    public Task<bool> SocketClosedWithinAsync(TimeSpan timeout) => _socket!.ClosedWithinAsync(timeout);

    /// <summary>Connects the WebSocket again with the same token after a loss, as VeiL Connect does every 5 s.</summary>
    public async Task ReconnectAsync()
    {
        if (_socket is not null)
        {
            await _socket.DisposeAsync();
        }

        await ConnectAsync();
        await WaitForAsync(m => m.GetProperty("msg_type").GetString() == "control");
    }

    /// <summary>What VeiL Connect sends every 5 s while it shows the VM's desktop.</summary>
    public Task SendNetworkStatsAsync(Guid vmId) =>
        SendEventAsync(new { msg_type = "UPDATED", @event = "network_stats", vm_id = vmId, connection_type = "SPICE", total = 100, avg_rtt = 1.5 });

    /// <summary>
    /// Sends network_stats about the VM every 5 s until disposed, as VeiL Connect does while it shows the desktop (the
    /// first at once). A send on a closed socket ends the reporting.
    /// </summary>
    public IAsyncDisposable ReportNetworkStatsEvery5s(Guid vmId)
    {
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            do
            {
                await SendNetworkStatsAsync(vmId);
            }
            while (await timer.WaitForNextTickAsync(stop.Token));
        });
        return new Reporting(stop, loop);
    }

    private sealed class Reporting(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await loop;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or InvalidOperationException)
            {
                // the socket closed: reporting ended with it
            }

            stop.Dispose();
        }
    }

    public Task SendEventAsync(object message) => _socket!.SendAsync(JsonSerializer.Serialize(message));

    public Task SendRawAsync(string text) => _socket!.SendAsync(text);

    /// <summary>The next message matching the filter (earlier ones are kept for later calls).</summary>
    public Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null) => _socket!.WaitForAsync(match, timeout);

    public IReadOnlyList<JsonElement> Received => _socket?.Received ?? [];

    public Task<(int Status, JsonElement Body)> LogoutAsync() => PostAsync("/api/logout");

    /// <summary>Opens the socket and then never reads it, so pings go unanswered: a client whose network cable was pulled.</summary>
    public async Task ConnectAndFallSilentAsync()
    {
        _silent = new ClientWebSocket();
        await _silent.ConnectAsync(new Uri($"ws://{_broker.Authority}/ws/client/?token={Token}&veil_connect_version={Version}"), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is not null)
        {
            await _socket.DisposeAsync();
        }

        _silent?.Dispose();
        _http.Dispose();
    }
}
