using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Vdi.Simulator.Faults;
using Vdi.Simulator.Hosting;

namespace Vdi.Simulator.Events;

/// <summary>
/// ECP's event stream <c>/ws/?token=&lt;key&gt;</c>: text commands <c>add /domains/</c> / <c>delete /domains/</c>,
/// then every change of a subscribed resource. A bad key gets the text "token error" and a close.
/// </summary>
public static class ControllerSocket
{
    private static readonly HashSet<string> Resources =
        ["/clusters/", "/nodes/", "/resource_pools/", "/data-pools/", "/domains/", "/tasks/", "/events/"];

    public static IEndpointRouteBuilder MapControllerSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/", HandleAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext http, EventHub hub, IOptions<SimulatorOptions> options, FaultState faults)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var token = http.Request.Query["token"].ToString();
        if (faults.Unauthorized || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(options.Value.Token)))
        {
            try
            {
                await SendAsync(socket, "token error", CancellationToken.None);
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "token error", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // the client left first
            }

            return;
        }

        var subscriber = hub.Connect();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, subscriber.Dropped);
        try
        {
            var sending = SendLoopAsync(socket, subscriber, stop.Token);
            await ReceiveLoopAsync(socket, subscriber, stop.Token);
            await stop.CancelAsync();
            await sending;
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            hub.Disconnect(subscriber);
            if (subscriber.Dropped.IsCancellationRequested)
            {
                http.Abort(); // a dropped stream ends without a close handshake, like a broken link
            }
        }
    }

    private static async Task ReceiveLoopAsync(WebSocket socket, EventHub.Subscriber subscriber, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            var command = Encoding.UTF8.GetString(buffer, 0, result.Count).Trim();
            var parts = command.Split(' ', 2, StringSplitOptions.TrimEntries);
            var ok = parts.Length == 2 && Resources.Contains(parts[1]) && parts[0] switch
            {
                "add" => subscriber.Add(parts[1]),
                "delete" => subscriber.Remove(parts[1]),
                _ => false,
            };
            var reply = System.Text.Json.JsonSerializer.Serialize(new
            {
                msg_type = "control",
                error = !ok,
                msg = parts.Length > 0 ? parts[0] : "",
                resource = parts.Length > 1 ? parts[1] : "",
            });
            await subscriber.Outbox.Writer.WriteAsync(reply, ct);
        }
    }

    private static async Task SendLoopAsync(WebSocket socket, EventHub.Subscriber subscriber, CancellationToken ct)
    {
        try
        {
            await foreach (var message in subscriber.Outbox.Reader.ReadAllAsync(ct))
            {
                await SendAsync(socket, message, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Task SendAsync(WebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, ct);
}
