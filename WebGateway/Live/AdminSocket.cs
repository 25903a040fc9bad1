using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Vdi.WebGateway.Security;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Live;

/// <summary>
/// The panel's live events (§9.3) at <c>/ws/subscriptions/</c> and <c>/api/ws/subscriptions/</c>: <c>?token=</c> of a
/// user with an admin role; text frames <c>add /pools/</c> and <c>delete /pools/</c>, each answered with
/// <c>{"msg_type":"control","error":false,"msg":"add","resource":"/pools/"}</c>; then every event of the subscribed
/// resources. A bad token gets a control error and close 4001.
/// </summary>
public static class AdminSocket
{
    public static IEndpointRouteBuilder MapAdminSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/subscriptions", HandleAsync).AllowAnonymous(); // the token comes in the query
        app.Map("/api/ws/subscriptions", HandleAsync).AllowAnonymous();
        return app;
    }

    private static async Task HandleAsync(HttpContext http, IClusterClient cluster, IOptionsMonitor<JwtBearerOptions> jwt, LiveEventHub hub,
        IAuthorizationService authorization)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "A WebSocket upgrade is required." } } });
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(10) });
        var (principal, error) = await ThinClientSocket.ValidateAsync(http.Request.Query["token"].ToString(), jwt.Get(JwtBearerDefaults.AuthenticationScheme), cluster);
        if (principal is not null && !(await authorization.AuthorizeAsync(principal, Roles.OperatorPolicy)).Succeeded)
        {
            (principal, error) = (null, "An administrator role is required.");
        }

        if (principal is null)
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = error })),
                WebSocketMessageType.Text, true, http.RequestAborted);
            await socket.CloseAsync((WebSocketCloseStatus)4001, error, http.RequestAborted);
            return;
        }

        var connection = new ClientConnection(socket);
        var subscriber = new LiveEventHub.Subscriber(connection.SendAsync);
        var id = hub.Add(subscriber);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.Closed);
        var sending = connection.RunSendLoopAsync(stop.Token);
        try
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                var text = Encoding.UTF8.GetString(buffer, 0, result.Count).Trim();
                await connection.SendAsync(Apply(subscriber, text));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the panel went away
        }
        finally
        {
            hub.Remove(id);
            connection.Complete();
            await sending;
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None); // complete the panel's close
            }
        }
    }

    /// <summary>Applies one <c>add</c>/<c>delete</c> command and returns the control frame answering it.</summary>
    public static string Apply(LiveEventHub.Subscriber subscriber, string command)
    {
        var parts = command.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var verb = parts.Length > 0 ? parts[0] : "";
        var resource = parts.Length > 1 ? parts[1] : "";
        var ok = (verb, LiveEventHub.Resources.Contains(resource)) switch
        {
            ("add", true) => subscriber.Resources.TryAdd(resource, true),
            ("delete", true) => subscriber.Resources.TryRemove(resource, out _),
            _ => false,
        };
        return JsonSerializer.Serialize(new { msg_type = "control", error = !ok, msg = verb, resource });
    }
}
