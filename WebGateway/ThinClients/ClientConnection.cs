using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.WebGateway.ThinClients;

/// <summary>
/// This gateway's end of one thin client's WebSocket, exposed to the grains as an observer. All frames leave through
/// one send loop, so grain pushes, replies and the closing frame never interleave.
/// </summary>
public sealed class ClientConnection(WebSocket socket) : IThinClientObserver
{
    private readonly Channel<(string? Text, int? CloseCode)> _outbox = Channel.CreateBounded<(string?, int?)>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _closed = new();

    /// <summary>Cancelled when the server closed the socket (admin DISCONNECT, bad token).</summary>
    public CancellationToken Closed => _closed.Token;

    public Task SendAsync(string json)
    {
        _outbox.Writer.TryWrite((json, null));
        return Task.CompletedTask;
    }

    public Task CloseAsync(int closeCode, string controlJson)
    {
        _outbox.Writer.TryWrite((controlJson, closeCode));
        return Task.CompletedTask;
    }

    /// <summary>Set when this gateway is stopping and closed the socket with 1001 so that the client reconnects elsewhere.</summary>
    public bool GoingAway { get; private set; }

    /// <summary>
    /// Closes the socket with 1001 (going away) and no message: VeiL Connect reconnects in 5 s with the same token
    /// (to another gateway behind the balancer) and its desktop stays open.
    /// </summary>
    public void GoAway()
    {
        GoingAway = true;
        _outbox.Writer.TryWrite((null, (int)WebSocketCloseStatus.EndpointUnavailable));
    }

    public async Task RunSendLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (text, closeCode) in _outbox.Reader.ReadAllAsync(ct))
            {
                if (text is not null)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
                }

                if (closeCode is { } code)
                {
                    await socket.CloseOutputAsync((WebSocketCloseStatus)code, "", ct);
                    // complete the closing handshake: give the client time to answer before the socket is dropped
                    _closed.CancelAfter(CloseHandshakeTimeout);
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client is gone; the receive loop ends the session
        }
    }

    public void Complete() => _outbox.Writer.TryComplete();
}
