using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.ThinClients;

/// <summary>
/// VeiL Connect's WebSocket (§8.2) at <c>/ws/client/</c> and <c>/api/ws/client/</c>: "Auth success" or close 4001,
/// pings every 10 s (a client silent for 35 s is dropped), client events to the session grain, grain pushes back.
/// </summary>
public static partial class ThinClientSocket
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PongTimeout = TimeSpan.FromSeconds(15); // checked on ping ticks: a silent client is dropped within about 30 s

    public static IEndpointRouteBuilder MapThinClientSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/ws/client", HandleAsync).AllowAnonymous(); // the token comes in the query and is checked below
        app.Map("/api/ws/client", HandleAsync).AllowAnonymous();
        return app;
    }

    private static async Task HandleAsync(HttpContext http, IClusterClient cluster, IOptionsMonitor<JwtBearerOptions> jwt, ILoggerFactory loggers, LocalClients local)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "A WebSocket upgrade is required." } } });
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = PingInterval, KeepAliveTimeout = PongTimeout });
        var query = http.Request.Query;
        var (principal, error) = await ValidateAsync(query["token"].ToString(), jwt.Get(JwtBearerDefaults.AuthenticationScheme), cluster);
        if (principal is null)
        {
            await RefuseAsync(socket, error, http.RequestAborted);
            return;
        }

        var logger = loggers.CreateLogger("Vdi.WebGateway.ThinClients");
        var connection = new ClientConnection(socket);
        var observer = cluster.CreateObjectReference<IThinClientObserver>(connection);
        var sessionId = Guid.NewGuid();
        var session = cluster.GetGrain<IThinClientSessionGrain>(sessionId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.Closed);
        var sending = connection.RunSendLoopAsync(stop.Token);
        var reason = SessionCloseReason.ClientClosed;
        try
        {
            await session.OpenAsync(new SessionInfo(principal.UserId()!.Value, principal.UserName(), query["veil_connect_version"].ToString(),
                ClientIp(http), query["tk_os"].ToString(), query["mac_address"].ToString(), query["hostname"].ToString(),
                query["is_conn_init_by_user"].ToString() == "1", Environment.MachineName), observer);
            await connection.SendAsync("""{"msg_type":"control","error":false,"msg":"Auth success"}""");
            using var registration = local.Add(principal.UserId()!.Value, ClientIp(http), connection);
            var heartbeat = HeartbeatAsync(session, stop.Token);
            await ReceiveAsync(socket, session, connection, stop.Token);
            await stop.CancelAsync();
            await heartbeat;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // a client that stops answering pings has its socket aborted by the keep-alive timeout, which surfaces as
            // either exception: the aborted state says which it was
            reason = http.RequestAborted.IsCancellationRequested ? SessionCloseReason.ConnectionLost
                : e is WebSocketException || socket.State == WebSocketState.Aborted ? SessionCloseReason.NoPongs
                : SessionCloseReason.SocketClosed;
            LogDropped(logger, sessionId, e.Message);
        }
        finally
        {
            connection.Complete();
            await sending;
            try
            {
                await session.CloseAsync(reason); // a session the broker ended itself (DISCONNECT, AFK) keeps its own reason
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogDropped(logger, sessionId, $"closing the session failed; the monitor reaps it: {e.Message}");
            }

            // only now: the closed session pushes nothing more, and a push that raced the close finds a completed outbox
            // instead of a deleted observer
            cluster.DeleteObjectReference<IThinClientObserver>(observer);
        }
    }

    private static async Task ReceiveAsync(WebSocket socket, IThinClientSessionGrain session, ClientConnection connection, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            await session.TouchAsync(false);
            if (ClientMessages.Parse(text) is not { } clientEvent)
            {
                await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = $"Wrong msg format {ClientMessages.Cut(text)}" }));
                continue;
            }

            if (!clientEvent.IsComplete)
            {
                await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = "Wrong msg format: unknown event or vm_id missing" }));
                continue;
            }

            try
            {
                await session.OnClientEventAsync(clientEvent);
            }
            catch (BrokerException e)
            {
                await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = $"Wrong msg format: {e.Message}" }));
            }
        }
    }

    private static async Task HeartbeatAsync(IThinClientSessionGrain session, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(PingInterval);
        try
        {
            // the socket is alive while pongs arrive (KeepAliveTimeout drops it otherwise): tell the session so
            while (await timer.WaitForNextTickAsync(ct))
            {
                await session.TouchAsync(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static async Task<(System.Security.Claims.ClaimsPrincipal? Principal, string Error)> ValidateAsync(string token, JwtBearerOptions options, IClusterClient cluster)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, "Token validation error. No token.");
        }

        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, options.TokenValidationParameters);
        if (!result.IsValid)
        {
            return (null, result.Exception is SecurityTokenExpiredException ? "Token expired." : "Token validation error. Invalid token.");
        }

        var principal = new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity);
        return await TokenChecks.IsCurrentAsync(principal, cluster)
            ? (principal, "")
            : (null, "Token validation error. The token was replaced by a newer login.");
    }

    /// <summary>Refuses a socket: the error as a control frame, then close code 4001 (a bad or replaced token, a missing role).</summary>
    internal static async Task RefuseAsync(WebSocket socket, string error, CancellationToken ct)
    {
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = error })),
                WebSocketMessageType.Text, true, ct);
            await socket.CloseAsync((WebSocketCloseStatus)4001, error, ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the refused client left without completing the close handshake: nothing more to tell it
        }
    }

    /// <summary>The client's address as the session records it (the proxy's headers first).</summary>
    internal static string ClientIp(HttpContext http) =>
        http.Request.Headers["X-Real-IP"].FirstOrDefault()
        ?? http.Request.Headers["X-Forwarded-For"].FirstOrDefault()?.Split(',')[0].Trim()
        ?? http.Connection.RemoteIpAddress?.ToString() ?? "";

    [LoggerMessage(EventId = Hosting.LogEvents.ThinClientSessionDropped, Level = LogLevel.Information, Message = "Thin-client session {SessionId}: {Reason}")]
    private static partial void LogDropped(ILogger logger, Guid sessionId, string reason);
}
