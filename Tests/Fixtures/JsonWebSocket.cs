using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Vdi.Tests.Fixtures;

/// <summary>
/// A client WebSocket that reads every JSON text frame in the background and lets a test wait for the first one
/// matching a filter (earlier ones stay for later waits). Used for VeiL Connect's socket and the panel's.
/// </summary>
public sealed class JsonWebSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentQueue<JsonElement> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private Task _reader = Task.CompletedTask;

    /// <param name="invoker">The HTTP stack to connect through (a test CA's trust, a client address of its own); the default one otherwise.</param>
    public static async Task<JsonWebSocket> ConnectAsync(Uri url, string? origin = null, IReadOnlyDictionary<string, string>? headers = null,
        HttpMessageInvoker? invoker = null)
    {
        var socket = new JsonWebSocket();
        if (origin is not null)
        {
            socket._socket.Options.SetRequestHeader("Origin", origin);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            socket._socket.Options.SetRequestHeader(name, value);
        }

        await socket._socket.ConnectAsync(url, invoker, CancellationToken.None);
        socket._reader = Task.Run(socket.ReadLoopAsync);
        return socket;
    }

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public IReadOnlyList<JsonElement> Received => [.. _received];

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The first message matching the filter, waiting for it up to the timeout (15 s by default).</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            foreach (var message in _received)
            {
                if (match(message))
                {
                    return message;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"no matching message; received: {string.Join(" | ", _received.Select(m => m.ToString()))}");
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                _received.Enqueue(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)).RootElement.Clone());
                _arrived.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // aborted by the test, or the broker dropped the connection
        }
        finally
        {
            _arrived.Release();
        }
    }

    /// <summary>Drops the connection without a close frame: a network blip, a client killed.</summary>
    public void Abort() => _socket.Abort();

    /// <summary>Sends a close frame and drops the connection at once, without waiting for the broker's answer.</summary>
    public async Task CloseAndDropAsync()
    {
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        _socket.Abort();
    }

    /// <summary>Whether the broker closed the socket within the timeout (its close frame arrived, or the connection ended).</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout) => await Task.WhenAny(_reader, Task.Delay(timeout)) == _reader;

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
            {
            }
        }

        await _reader;
        _socket.Dispose();
    }
}
