using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Live;

namespace Vdi.Grains.Controllers.Events;

/// <summary>
/// Holds one controller's event stream (<c>ws://controller/ws/?token=...</c>): subscribes to <c>/domains/</c>, hands every
/// domain message to <c>onDomainMessage</c> in arrival order, and reconnects after a pause when the stream drops.
/// It runs off the grain's scheduler; the URL carries the token, so it is never logged.
/// </summary>
public sealed partial class ControllerEventListener(
    Uri url,
    Func<JsonElement, Task> onDomainMessage,
    Func<string, Task> onLost,
    TimeSpan reconnectInterval,
    TimeProvider time,
    ILogger logger,
    ControllerTrust? trust = null,
    Func<string, JsonElement, Task>? onResourceMessage = null) : IAsyncDisposable
{
    /// <summary>The controller's resources relayed besides its domains (the original's monitor also added these).</summary>
    public static readonly IReadOnlyList<string> ResourceStreams = [LiveStreams.Clusters, LiveStreams.Nodes, LiveStreams.DataPools];

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _connections;
    private volatile bool _connected;

    public bool Connected => _connected;

    public int Connections => _connections;

    public bool Running => _loop is { IsCompleted: false };

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            string? lost = null;
            try
            {
                lost = await ListenOnceAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
            {
                lost = e.Message;
            }
            finally
            {
                _connected = false;
            }

            LogLost(lost ?? "closed");
            try
            {
                await onLost(lost ?? "closed");
            }
            catch (Exception e)
            {
                LogCallbackFailed(e);
            }

            await Task.Delay(reconnectInterval, time, ct);
        }
    }

    /// <summary>One connection, until it ends; returns why it ended.</summary>
    private async Task<string> ListenOnceAsync(CancellationToken ct)
    {
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(10);
        if (trust is not null && url.Scheme == "wss")
        {
            // the controller's own CA or pinned certificate, as for its REST calls
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors).Trusted;
        }
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            connectTimeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(url, connectTimeout.Token);
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes("add /domains/"), WebSocketMessageType.Text, true, ct);
        if (onResourceMessage is not null)
        {
            foreach (var resource in ResourceStreams)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes($"add {resource}"), WebSocketMessageType.Text, true, ct);
            }
        }

        _connected = true;
        Interlocked.Increment(ref _connections);
        LogConnected(_connections);

        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return $"closed by the controller ({result.CloseStatusDescription})";
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            if (text.Contains("token error", StringComparison.OrdinalIgnoreCase))
            {
                return "token error";
            }

            await DispatchAsync(text);
        }
    }

    private async Task DispatchAsync(string text)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            LogMalformed(text.Length);
            return;
        }

        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("msg_type", out var type) || type.GetString() != "data"
            || !root.TryGetProperty("resource", out var r) || r.GetString() is not { } resource)
        {
            return;
        }

        try
        {
            if (resource == LiveStreams.Domains)
            {
                await onDomainMessage(root);
            }
            else if (onResourceMessage is not null && ResourceStreams.Contains(resource))
            {
                await onResourceMessage(resource, root);
            }
        }
        catch (Exception e)
        {
            LogCallbackFailed(e);
        }
    }

    [LoggerMessage(EventId = LogEvents.StreamConnected, Level = LogLevel.Information, Message = "Controller event stream connected (connection {Count})")]
    private partial void LogConnected(int count);

    [LoggerMessage(EventId = LogEvents.StreamLost, Level = LogLevel.Warning, Message = "Controller event stream lost: {Reason}")]
    private partial void LogLost(string reason);

    [LoggerMessage(EventId = LogEvents.StreamRejected, Level = LogLevel.Warning, Message = "A controller event of {Length} characters was not JSON")]
    private partial void LogMalformed(int length);

    [LoggerMessage(EventId = LogEvents.StreamHandlerFailed, Level = LogLevel.Error, Message = "Handling a controller event failed")]
    private partial void LogCallbackFailed(Exception e);
}
