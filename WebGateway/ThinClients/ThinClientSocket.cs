using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.WebGateway.Hosting;
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

    private static async Task HandleAsync(HttpContext http, IClusterClient cluster, IOptionsMonitor<JwtBearerOptions> jwt, ILoggerFactory loggers,
        LocalClients local, ValidatedTokens validated, IOptions<Hosting.BrokerOptions> broker)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "A WebSocket upgrade is required." } } });
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = PingInterval, KeepAliveTimeout = PongTimeout });
        var logger = loggers.CreateLogger("Vdi.WebGateway.ThinClients");
        var query = http.Request.Query;
        System.Security.Claims.ClaimsPrincipal? principal;
        string error;
        try
        {
            (principal, error) = await ValidateAsync(query["token"].ToString(), jwt.Get(JwtBearerDefaults.AuthenticationScheme), cluster, validated,
                http.RequestServices.GetRequiredService<SigningKeys>());
        }
        catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
        {
            // the token could not be checked (and was not checked recently): not a refusal of the user, a busy broker
            await TryLaterAsync(socket, http.RequestAborted);
            return;
        }

        if (principal is null)
        {
            await RefuseAsync(socket, error, http.RequestAborted);
            return;
        }

        try
        {
            if ((await cluster.GetGrain<IUserSessionsGrain>(principal.UserId()!.Value).ListAsync()).Count >= broker.Value.MaxSessionsPerUser)
            {
                // one user cannot hold the broker's sockets: VeiL Connect holds one, a few more cover its reconnects
                await CloseAsync(socket, WebSocketCloseStatus.PolicyViolation, $"Too many open sessions: at most {broker.Value.MaxSessionsPerUser} per user.", http.RequestAborted);
                return;
            }
        }
        catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
        {
            await TryLaterAsync(socket, http.RequestAborted);
            return;
        }

        var connection = new ClientConnection(socket);
        var observer = cluster.CreateObjectReference<IThinClientObserver>(connection);
        var sessionId = Guid.NewGuid();
        var session = cluster.GetGrain<IThinClientSessionGrain>(sessionId);
        var opened = false;
        var ended = new SocketEnd();
        // the receive loop ends on the client's close, a dropped connection or the server's own close; the request's
        // abort is not passed in, so a close frame already received is always read as one (a deterministic reason)
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.Closed);
        var sending = connection.RunSendLoopAsync(stop.Token);
        try
        {
            try
            {
                await session.OpenAsync(new SessionInfo(principal.UserId()!.Value, principal.UserName(), query["veil_connect_version"].ToString(),
                    ClientIp(http), query["tk_os"].ToString(), query["mac_address"].ToString(), query["hostname"].ToString(),
                    query["is_conn_init_by_user"].ToString() == "1", Environment.MachineName), observer);
                opened = true;
            }
            catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
            {
                LogDropped(logger, sessionId, $"the session could not be opened: {e.GetType().Name}");
                await connection.CloseAsync(TryAgainLater, BusyFrame);
                return;
            }

            await connection.SendAsync("""{"msg_type":"control","error":false,"msg":"Auth success"}""");
            using var registration = local.Add(principal.UserId()!.Value, ClientIp(http), connection);
            using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var heartbeat = HeartbeatAsync(session, observer, principal, cluster, validated, connection, ended, logger, heartbeatStop.Token);
            try
            {
                await ReceiveAsync(socket, session, connection, ended, logger, broker.Value.MessagesPerSecond, stop.Token);
            }
            finally
            {
                await heartbeatStop.CancelAsync();
                await heartbeat;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            ended.Failed(e, connection.Closed.IsCancellationRequested);
            LogDropped(logger, sessionId, e.Message);
        }
        finally
        {
            connection.Complete();
            await sending;
            if (opened)
            {
                try
                {
                    await session.CloseAsync(ended.Reason); // a session the broker ended itself (DISCONNECT, AFK) keeps its own reason
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    LogDropped(logger, sessionId, $"closing the session failed; the monitor reaps it: {e.Message}");
                }
            }

            // only now: the closed session pushes nothing more, and a push that raced the close finds a completed outbox
            // instead of a deleted observer
            cluster.DeleteObjectReference<IThinClientObserver>(observer);
        }
    }

    /// <summary>The largest client message accepted (VeiL Connect's are a few hundred bytes).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>WebSocket close code 1013, "try again later": the broker could not serve the socket now (VeiL Connect reconnects every 5 s).</summary>
    private const int TryAgainLater = 1013;

    private static readonly string BusyFrame = JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = "The broker is busy. Try again in a few seconds." });

    private static async Task ReceiveAsync(WebSocket socket, IThinClientSessionGrain session, ClientConnection connection, SocketEnd ended,
        ILogger logger, int perSecond, CancellationToken ct)
    {
        using var limiter = new System.Threading.RateLimiting.TokenBucketRateLimiter(new System.Threading.RateLimiting.TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond * 3,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        var refused = 0;
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                if (connection.GoingAway)
                {
                    ended.ServerClosed(SessionCloseReason.SocketClosed); // the client answered this stopping gateway's close
                }

                ended.ClientClosed(); // before answering it: the client may drop the connection right after its close frame
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return;
            }

            if (message.Length + result.Count > MaxMessageBytes)
            {
                // an endless message would grow this gateway's memory without bound: close 1009 (message too big)
                ended.ServerClosed(SessionCloseReason.SocketClosed);
                LogTooBig(logger, MaxMessageBytes);
                await connection.CloseAsync((int)WebSocketCloseStatus.MessageTooBig, JsonSerializer.Serialize(new { msg_type = "control", error = true,
                    msg = $"Message too big: at most {MaxMessageBytes / 1024} KiB." }));
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            message.SetLength(0);
            using (var lease = limiter.AttemptAcquire())
            {
                if (!lease.IsAcquired)
                {
                    // a flood: refused visibly, never queued; a client that goes on is closed (1008)
                    if (++refused > perSecond * 30)
                    {
                        ended.ServerClosed(SessionCloseReason.SocketClosed);
                        await connection.CloseAsync((int)WebSocketCloseStatus.PolicyViolation, JsonSerializer.Serialize(new { msg_type = "control", error = true,
                            msg = "Too many messages; the connection is closed." }));
                        return;
                    }

                    if (refused % perSecond == 1)
                    {
                        await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = $"Too many messages: at most {perSecond} per second." }));
                    }

                    continue;
                }
            }

            await session.TouchAsync(false); // one-way: never fails here
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
            catch (BrokerException e) when (e.Kind != ErrorKind.DependencyUnavailable)
            {
                var why = e.Kind == ErrorKind.Forbidden ? e.Message : $"Wrong msg format: {e.Message}";
                await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = why }));
            }
            catch (Exception e) when (e is not (OperationCanceledException or WebSocketException or OutOfMemoryException))
            {
                // the database or the cluster could not take the event now: the client is told, its socket stays open
                // (its next network_stats carries the same evidence)
                LogEventRefused(logger, clientEvent.Name, e.GetType().Name);
                await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true,
                    msg = $"The broker could not record {clientEvent.Name} now; it is busy. Try again in a few seconds." }));
            }
        }
    }

    /// <summary>How often an open socket's token and user are checked again (a replaced token or a deactivated user: close 4001).</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Every 10 s while pongs arrive (KeepAliveTimeout drops the socket otherwise): the session hears the socket is
    /// alive and gets the way to it (again, if it was re-activated after its silo died); every 15 s the token is
    /// checked again. A failure to reach the cluster or the database is no verdict: the next tick tries again.
    /// </summary>
    private static async Task HeartbeatAsync(IThinClientSessionGrain session, IThinClientObserver observer, System.Security.Claims.ClaimsPrincipal principal,
        IClusterClient cluster, ValidatedTokens validated, ClientConnection connection, SocketEnd ended, ILogger logger, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(PingInterval);
        var lastCheck = DateTimeOffset.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    if (!await session.HeartbeatAsync(observer))
                    {
                        ended.ServerClosed(SessionCloseReason.DeadSession);
                        await connection.CloseAsync((int)WebSocketCloseStatus.NormalClosure, """{"msg_type":"control","error":true,"msg":"The session has ended; reconnect."}""");
                        return;
                    }

                    if (DateTimeOffset.UtcNow - lastCheck >= RecheckInterval)
                    {
                        lastCheck = DateTimeOffset.UtcNow;
                        if (!await validated.IsCurrentAsync(principal.Clone(), cluster))
                        {
                            ended.ServerClosed(SessionCloseReason.TokenRevoked);
                            await connection.CloseAsync(4001, JsonSerializer.Serialize(new { msg_type = "control", error = true,
                                msg = "Token validation error. The token is no longer valid." }));
                            return;
                        }
                    }
                }
                catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
                {
                    LogHeartbeatFailed(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Refuses a socket with a control error and a close code (a policy the client broke).</summary>
    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string error, CancellationToken ct)
    {
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = error })), WebSocketMessageType.Text, true, ct);
            await socket.CloseAsync(status, "", ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    /// <summary>Refuses a socket for now: the broker could not check its token (close 1013, the client reconnects by itself).</summary>
    internal static async Task TryLaterAsync(WebSocket socket, CancellationToken ct)
    {
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(BusyFrame), WebSocketMessageType.Text, true, ct);
            await socket.CloseAsync((WebSocketCloseStatus)TryAgainLater, "busy", ct);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    internal static async Task<(System.Security.Claims.ClaimsPrincipal? Principal, string Error)> ValidateAsync(string token, JwtBearerOptions options,
        IClusterClient cluster, ValidatedTokens validated, SigningKeys keys)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, "Token validation error. No token.");
        }

        await keys.EnsureKnownAsync(token); // loaded here, awaited: the validator only reads what is loaded

        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, options.TokenValidationParameters);
        if (!result.IsValid)
        {
            return (null, result.Exception is SecurityTokenExpiredException ? "Token expired." : "Token validation error. Invalid token.");
        }

        var principal = new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity);
        return await validated.IsCurrentAsync(principal, cluster)
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

    /// <summary>
    /// The client's address as the session records it: the connection's peer, which the forwarded-headers middleware
    /// has replaced with X-Forwarded-For only when the peer is a trusted proxy (<c>Broker:TrustedProxies</c>).
    /// </summary>
    internal static string ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "";

    /// <summary>How a socket ended, decided once: the first cause seen wins (a close frame read, the server's own close, a failure).</summary>
    private sealed class SocketEnd
    {
        private SessionCloseReason? _reason;

        /// <summary>The reason; a receive loop that ended without a close frame or a failure ended because the server closed the socket.</summary>
        public SessionCloseReason Reason => _reason ?? SessionCloseReason.SocketClosed;

        public void ClientClosed() => _reason ??= SessionCloseReason.ClientClosed;

        public void ServerClosed(SessionCloseReason reason) => _reason ??= reason;

        public void Failed(Exception e, bool serverClosing) => _reason ??= serverClosing ? SessionCloseReason.SocketClosed
            : IsKeepAliveTimeout(e) ? SessionCloseReason.NoPongs
            : SessionCloseReason.ConnectionLost;

        /// <summary>The socket was aborted because the client answered no ping within <see cref="PongTimeout"/>.</summary>
        private static bool IsKeepAliveTimeout(Exception? e)
        {
            for (; e is not null; e = e.InnerException)
            {
                if (e is TimeoutException || e.Message.Contains("KeepAlive", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("Pong", StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    [LoggerMessage(EventId = Hosting.LogEvents.ThinClientMessageTooBig, Level = LogLevel.Warning, Message = "A thin client sent a message over {Limit} bytes; its socket was closed with 1009")]
    private static partial void LogTooBig(ILogger logger, int limit);

    [LoggerMessage(EventId = Hosting.LogEvents.ThinClientEventRefused, Level = LogLevel.Warning, Message = "A thin client's {Event} could not be recorded ({Error}); the client was told")]
    private static partial void LogEventRefused(ILogger logger, string @event, string error);

    [LoggerMessage(EventId = Hosting.LogEvents.ThinClientHeartbeatFailed, Level = LogLevel.Debug, Message = "A thin-client socket's heartbeat could not reach the cluster ({Error}); the next one tries again")]
    private static partial void LogHeartbeatFailed(ILogger logger, string error);

    [LoggerMessage(EventId = Hosting.LogEvents.ThinClientSessionDropped, Level = LogLevel.Information, Message = "Thin-client session {SessionId}: {Reason}")]
    private static partial void LogDropped(ILogger logger, Guid sessionId, string reason);
}
