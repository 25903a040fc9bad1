using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Live;
using Vdi.WebGateway.Hosting;
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
        IAuthorizationService authorization, ValidatedTokens validated, IOptions<BrokerOptions> options)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsJsonAsync(new { errors = new[] { new { message = "A WebSocket upgrade is required." } } });
            return;
        }

        if (!OriginAllowed(http, options.Value.PanelOrigins))
        {
            // a foreign page in an administrator's browser cannot ride the browser into the live events
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(10) });
        ClaimsPrincipal? principal;
        string error;
        try
        {
            (principal, error) = await ThinClientSocket.ValidateAsync(http.Request.Query["token"].ToString(), jwt.Get(JwtBearerDefaults.AuthenticationScheme), cluster, validated,
                http.RequestServices.GetRequiredService<SigningKeys>());
        }
        catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
        {
            await ThinClientSocket.TryLaterAsync(socket, http.RequestAborted);
            return;
        }

        if (principal is not null && !(await authorization.AuthorizeAsync(principal, Roles.OperatorPolicy)).Succeeded)
        {
            (principal, error) = (null, RoleRequired);
        }

        if (principal is null)
        {
            await ThinClientSocket.RefuseAsync(socket, error, http.RequestAborted);
            return;
        }

        var connection = new ClientConnection(socket);
        var subscriber = new LiveEventHub.Subscriber(connection.SendAsync);
        var id = hub.Add(subscriber);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, connection.Closed);
        var sending = connection.RunSendLoopAsync(stop.Token);
        using var recheckStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var rechecks = RecheckAsync(principal, cluster, authorization, validated, connection, recheckStop.Token);
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
                string? refusal;
                ClaimsPrincipal current;
                try
                {
                    (refusal, current) = await CheckAsync(principal, cluster, authorization, validated);
                }
                catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
                {
                    // the token could not be checked now: this command is refused visibly, the socket stays open
                    await connection.SendAsync(JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = "The broker is busy. Try again in a few seconds." }));
                    continue;
                }

                if (refusal is not null)
                {
                    await connection.CloseAsync(4001, refusal);
                    continue; // the close handshake ends the loop
                }

                await connection.SendAsync(await ApplyAsync(subscriber, text, current, authorization));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the panel went away
        }
        finally
        {
            await recheckStop.CancelAsync();
            await rechecks;
            hub.Remove(id);
            connection.Complete();
            await sending;
            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None); // complete the panel's close
            }
        }
    }

    private const string RoleRequired = "An administrator role is required.";

    /// <summary>How often an open panel's token and roles are checked again (and before each command).</summary>
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The control frame refusing the panel, when its token was replaced or its user deactivated or left without an
    /// operator role since the socket opened; null while it may go on.
    /// </summary>
    private static async Task<string?> RefusalAsync(ClaimsPrincipal opened, IClusterClient cluster, IAuthorizationService authorization, ValidatedTokens validated) =>
        (await CheckAsync(opened, cluster, authorization, validated)).Refusal;

    /// <summary>The refusal (or null) and the principal with the user's roles now, for a command's own authorization.</summary>
    private static async Task<(string? Refusal, ClaimsPrincipal Current)> CheckAsync(ClaimsPrincipal opened, IClusterClient cluster,
        IAuthorizationService authorization, ValidatedTokens validated)
    {
        var principal = opened.Clone(); // the check replaces role claims: the timer and a command may check at once
        var error = !await validated.IsCurrentAsync(principal, cluster) ? "Token validation error. The token is no longer valid."
            : !(await authorization.AuthorizeAsync(principal, Roles.OperatorPolicy)).Succeeded ? RoleRequired
            : null;
        return (error is null ? null : JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = error }), principal);
    }

    /// <summary>The role a resource's events need: exactly what the REST API asks for the same data.</summary>
    public static string PolicyFor(string resource) => resource switch
    {
        LiveStreams.Users => Roles.SecurityAdministratorPolicy,
        LiveStreams.Events => Roles.OperatorPolicy,
        _ => Roles.AdministratorPolicy, // controllers, VMs, pools, tasks, thin-client sessions
    };

    /// <summary>
    /// Whether the socket's Origin (sent by every browser) is the gateway's own or one configured in
    /// <c>Broker:PanelOrigins</c>; a client that sends none (not a browser) is judged by its token alone.
    /// </summary>
    public static bool OriginAllowed(HttpContext http, IReadOnlyCollection<string> configured)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        var own = $"{http.Request.Scheme}://{http.Request.Host}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || configured.Contains(origin, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Applies one command, authorizing an <c>add</c> as the REST API authorizes the same data.</summary>
    public static async Task<string> ApplyAsync(LiveEventHub.Subscriber subscriber, string command, ClaimsPrincipal user, IAuthorizationService authorization)
    {
        var parts = command.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts is ["add", var resource] && LiveEventHub.Resources.Contains(resource)
            && !(await authorization.AuthorizeAsync(user, PolicyFor(resource))).Succeeded)
        {
            return JsonSerializer.Serialize(new { msg_type = "control", error = true, msg = "add", resource, reason = "your roles do not include these events" });
        }

        return Apply(subscriber, command);
    }

    /// <summary>A panel left open is checked too, so live events stop reaching a user who lost the right to them.</summary>
    private static async Task RecheckAsync(ClaimsPrincipal principal, IClusterClient cluster, IAuthorizationService authorization,
        ValidatedTokens validated, ClientConnection connection, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RecheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    if (await RefusalAsync(principal, cluster, authorization, validated) is { } refusal)
                    {
                        await connection.CloseAsync(4001, refusal);
                        return;
                    }
                }
                catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
                {
                    // the cluster could not answer this time: the next tick or command checks again
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the socket closed
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
