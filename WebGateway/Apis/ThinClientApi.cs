using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Shared.Settings;
using Vdi.WebGateway.Hosting;
using Vdi.WebGateway.Security;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Apis;

/// <summary>
/// VeiL Connect's API (§8.1), byte-compatible: <c>{"data":...}</c> or <c>{"errors":[{"message","code"}]}</c>, error
/// codes 001-007 with HTTP 200, served under <c>/api/client/</c> and <c>/client/</c>.
/// </summary>
public static class ThinClientApi
{
    public sealed record GetVmRequest(string? RemoteProtocol, long? RequestId, string? TimeZone, string? Os);

    public sealed record TextMessageRequest(string? MsgType, string? Message);

    /// <summary><c>code</c>: a current one-time password (VeiL Connect sends none; a confirmed 2FA needs it to be turned off).</summary>
    public sealed record UserDataRequest(bool? TwoFactor, string? Code);

    public sealed record QrCodeRequest(string? Code);

    public sealed record AttachUsbRequest(string? HostAddress, int? HostPort);

    public sealed record DetachUsbRequest(string? UsbUuid, bool? RemoveAll);

    public static IEndpointRouteBuilder MapThinClientApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api", "" })
        {
            var client = app.MapGroup($"{prefix}/client").RequireAuthorization().AddEndpointFilter<EnvelopeErrors>().AddEndpointFilter<RetryReadsOnSiloLoss>();
            client.MapGet("/pools", PoolsAsync);
            client.MapPost("/pools/{id:guid}", GetVmAsync);
            client.MapPost("/pools/{id:guid}/add-pool-to-favorite", (Guid id, ClaimsPrincipal user, IClusterClient cluster, ThinClientDirectory d) => FavoriteAsync(id, user, cluster, d, true));
            client.MapPost("/pools/{id:guid}/remove-pool-from-favorite", (Guid id, ClaimsPrincipal user, IClusterClient cluster, ThinClientDirectory d) => FavoriteAsync(id, user, cluster, d, false));
            client.MapPost("/pools/{id:guid}/attach-usb", (Guid id, AttachUsbRequest body, ClaimsPrincipal user, IClusterClient cluster, ThinClientDirectory d) =>
                UsbAsync(id, new UsbRequest(true, body.HostAddress, body.HostPort ?? 0), user, cluster, d));
            client.MapPost("/pools/{id:guid}/detach-usb", (Guid id, DetachUsbRequest body, ClaimsPrincipal user, IClusterClient cluster, ThinClientDirectory d) =>
                UsbAsync(id, new UsbRequest(false, UsbUuid: body.UsbUuid, RemoveAll: body.RemoveAll ?? false), user, cluster, d));
            client.MapPost("/pools/{id:guid}/{action:regex(^[a-z]+$)}", VmActionAsync);
            client.MapPost("/send_text_message", (TextMessageRequest body, ClaimsPrincipal user, IClusterClient cluster) => SendTextAsync(body, user, cluster));
            client.MapGet("/get_user_data", async (ClaimsPrincipal user, IClusterClient cluster) =>
                Envelope.Data(new { user = new { two_factor = (await cluster.GetGrain<IUserGrain>(user.UserId()!.Value).GetAsync())!.TwoFactor } }));
            client.MapPost("/update_user_data", UpdateUserDataAsync);
            client.MapPost("/generate_user_qr_code", async (QrCodeRequest? body, ClaimsPrincipal user, IClusterClient cluster) =>
            {
                var enrollment = await cluster.GetGrain<IUserGrain>(user.UserId()!.Value).GenerateTotpSecretAsync(body?.Code);
                return Envelope.Data(new { qr_uri = enrollment.Uri, secret = enrollment.Secret });
            });
            client.MapGet("/get_vm_data/{vmId:guid}", VmDataAsync);
        }

        return app;
    }

    private static async Task<IResult> PoolsAsync(HttpRequest http, ClaimsPrincipal user, ThinClientDirectory directory)
    {
        var favoritesOnly = http.Headers["Get-Favorite-Only"].ToString().Equals("true", StringComparison.OrdinalIgnoreCase);
        var pools = await directory.PoolsForAsync(user.UserId()!.Value, user.IsSuperuser(), favoritesOnly);
        return Envelope.Data(pools.Select(p => new
        {
            id = p.Id,
            name = p.Name,
            os_type = p.OsType,
            status = p.Status,
            connection_types = p.ConnectionTypes,
            favorite = p.Favorite ? 1 : 0,
        }));
    }

    /// <summary>The get-VM request, timed and counted by outcome (<c>vdi.get_vm.duration</c>: ok, a thin-client code, or the refusal's kind).</summary>
    private static async Task<IResult> GetVmAsync(Guid id, GetVmRequest? body, ClaimsPrincipal principal, IClusterClient cluster,
        ThinClientDirectory directory, SettingsCache settings, LocalClients local, HttpContext http, GatewayMetrics metrics)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = new GetVmOutcome();
        try
        {
            return await GetVmCoreAsync(id, body, principal, cluster, directory, settings, local, http, outcome);
        }
        catch (BrokerException e)
        {
            outcome.Value = ThinClientErrors.For(e.Kind) is { } code ? code.Code() : GatewayMetrics.Name(e.Kind.ToString());
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome.Value = "error";
            throw;
        }
        finally
        {
            metrics.GetVm(System.Diagnostics.Stopwatch.GetElapsedTime(started), outcome.Value);
        }
    }

    private sealed class GetVmOutcome
    {
        public string Value { get; set; } = "ok";
    }

    private static async Task<IResult> GetVmCoreAsync(Guid id, GetVmRequest? body, ClaimsPrincipal principal, IClusterClient cluster,
        ThinClientDirectory directory, SettingsCache settings, LocalClients local, HttpContext http, GetVmOutcome outcome)
    {
        IResult Refuse(string message, ThinClientError code)
        {
            outcome.Value = code.Code();
            return Envelope.Error(message, code);
        }

        IResult NotFound(string message, string why)
        {
            outcome.Value = why;
            return Envelope.Error(message, status: StatusCodes.Status404NotFound);
        }

        var userId = principal.UserId()!.Value;
        var protocolText = string.IsNullOrWhiteSpace(body?.RemoteProtocol) ? "SPICE" : body!.RemoteProtocol!.Trim().ToUpperInvariant();
        if (protocolText == "LOADPLAY")
        {
            protocolText = "LOUDPLAY"; // old clients' spelling
        }

        var limit = (await settings.GetAsync()).ThinClientLimit;
        // the limit counts open sessions, this client's own included: a login is refused at the limit (>=), a get-VM
        // only beyond it (>), since the asking client already holds one of the counted sessions
        if (limit > 0 && await directory.ActiveCountAsync() > limit)
        {
            return Refuse("Thin client limit exceeded.", ThinClientError.ThinClientLimit);
        }

        var pool = cluster.GetGrain<IPoolGrain>(id);
        var view = await pool.GetSettingsForUserAsync(userId, principal.IsSuperuser());
        if (view is null)
        {
            return NotFound("Pool not found.", "pool_not_found");
        }

        if (!WireNames.TryParseWire<ConnectionType>(protocolText, out var protocol))
        {
            return Refuse($"Unknown connection type {protocolText}.", ThinClientError.UnknownProtocol);
        }

        if (!view.ConnectionTypes.Contains(protocol))
        {
            return NotFound($"The pool doesnt support connection type {protocolText}.", "protocol_not_offered");
        }

        var progress = new Progress(cluster, local.Of(userId, ThinClientSocket.ClientIp(http)), userId, body?.RequestId);
        if (view.PoolType == PoolType.Rds)
        {
            return await RdsAsync(pool, protocol, principal, cluster, progress, outcome);
        }

        await progress.ReportAsync(10, "Looking for machine.");
        var take = await pool.TakeVmForUserAsync(userId);
        VmConnectionData data;
        for (var attempt = 1; ; attempt++)
        {
            if (take.VmId is not { } vmId)
            {
                return take.MoreComing
                    ? Refuse($"The pool doesn`t have free machines. Try again after 5 minutes. Reason: {take.Explanation}.", ThinClientError.NoFreeVmYet)
                    : Refuse($"The pool doesn`t have free machines. Reason: {take.Explanation}.", ThinClientError.NoFreeVm);
            }

            await progress.ReportAsync(30, "Machine is being prepared.");
            if (!string.IsNullOrWhiteSpace(body?.TimeZone))
            {
                await progress.ReportAsync(40, "Setting time zone.");
            }

            await progress.ReportAsync(50, "Connection data resolving (address/port).");
            try
            {
                data = await cluster.GetGrain<IVmGrain>(vmId).ConnectAsync(new ConnectRequest(protocol, body?.TimeZone, body?.Os));
                break;
            }
            catch (BrokerException e) when (e.Kind == ErrorKind.VmLost && attempt == 1)
            {
                // the controller no longer has the VM: the pool's rule says whether another one replaces it (once)
                if (await pool.ReplaceLostVmAsync(vmId, userId) is not { } replacement)
                {
                    throw;
                }

                take = replacement;
            }
        }

        return await AnswerAsync(cluster, userId, data, take.VmId!.Value, [], view.PoolType);
    }

    /// <summary>
    /// An RDS pool (§5 step 2): no VM is assigned; the next host of the round-robin that can be prepared serves the
    /// user, and its published applications for the user go in <c>farm_list</c>.
    /// </summary>
    private static async Task<IResult> RdsAsync(IPoolGrain pool, ConnectionType protocol, ClaimsPrincipal principal, IClusterClient cluster,
        Progress progress, GetVmOutcome outcome)
    {
        await progress.ReportAsync(10, "Looking for active RDS Connection Broker.");
        (Guid Id, VmConnectionData Data)? host = null;
        foreach (var candidate in await pool.RdsHostsAsync())
        {
            try
            {
                host = (candidate, await cluster.GetGrain<IVmGrain>(candidate).ConnectAsync(new ConnectRequest(protocol)));
                break;
            }
            catch (BrokerException e) when (e.Kind is not (ErrorKind.DependencyUnavailable or ErrorKind.Overloaded))
            {
                // this host cannot serve now: the next one may (the original skipped the hosts it could not prepare)
            }
        }

        if (host is not { } served)
        {
            outcome.Value = "no_rds_host";
            return Envelope.Error("No active Remote Desktop Connection Broker found.");
        }

        await progress.ReportAsync(30, "Fetching published applications data.");
        IReadOnlyList<RdsFarm> farms;
        try
        {
            farms = await cluster.GetGrain<IVmGrain>(served.Id).GetPublishedAppsAsync(principal.UserName());
        }
        catch (BrokerException e) when (e.Kind is not (ErrorKind.DependencyUnavailable or ErrorKind.Overloaded))
        {
            outcome.Value = "no_published_apps";
            return Envelope.Error($"Unable to get list of published applications. {e.Message.TrimEnd('.')}.");
        }

        return await AnswerAsync(cluster, principal.UserId()!.Value, served.Data, served.Id, farms, PoolType.Rds);
    }

    /// <summary>Get-VM's answer (§5 step 7), the same shape for every pool type: farm_list is empty outside RDS pools.</summary>
    private static async Task<IResult> AnswerAsync(IClusterClient cluster, Guid userId, VmConnectionData data, Guid vmId, IReadOnlyList<RdsFarm> farms, PoolType type) =>
        Envelope.Data(new
        {
            host = data.Host,
            port = data.Port,
            token = data.Token,
            password = data.Password,
            vm_verbose_name = data.VmVerboseName,
            vm_controller_address = data.ControllerAddress,
            vm_id = vmId,
            permissions = await cluster.GetGrain<IUserGrain>(userId).GetTkPermissionsAsync(),
            farm_list = farms,
            pool_type = type.ToWire(),
        });

    private static async Task<IResult> VmActionAsync(Guid id, string action, HttpRequest http, ClaimsPrincipal principal, IClusterClient cluster,
        ThinClientDirectory directory)
    {
        if (!WireNames.TryParseWire<PowerAction>(action, out var power))
        {
            return Envelope.Error($"Unknown action {action}.", status: StatusCodes.Status404NotFound);
        }

        var force = false;
        if (http.ContentLength > 0)
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(http.Body);
                force = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("force", out var f) && f.ValueKind == JsonValueKind.True;
            }
            catch (JsonException)
            {
                return Envelope.Error("The request body is not JSON.", status: StatusCodes.Status400BadRequest);
            }
        }

        if (await directory.VmOfUserAsync(id, principal.UserId()!.Value) is not { } vm)
        {
            return Envelope.Error("The user has no VM in this pool.", status: StatusCodes.Status404NotFound);
        }

        await cluster.GetGrain<IVmGrain>(vm).PowerAsync(power, force && power is PowerAction.Shutdown or PowerAction.Reboot);
        return Envelope.Data("success");
    }

    private static async Task<IResult> UsbAsync(Guid poolId, UsbRequest request, ClaimsPrincipal principal, IClusterClient cluster,
        ThinClientDirectory directory)
    {
        if (request.Attach)
        {
            // a user without the USB permission attaches nothing; and the VM is told to reach only a plausible host
            if (!(await cluster.GetGrain<IUserGrain>(principal.UserId()!.Value).GetTkPermissionsAsync()).Contains("USB_REDIR"))
            {
                return Envelope.Error("USB redirection is not permitted for this user.", status: StatusCodes.Status403Forbidden);
            }

            if (request.HostAddress is { Length: > 0 } host && !IsHost(host))
            {
                return Envelope.Error("host_address: not an IP address or host name.", status: StatusCodes.Status400BadRequest);
            }

            if (request.HostAddress is { Length: > 0 } && request.HostPort is < 1 or > 65535)
            {
                return Envelope.Error("host_port: must be 1 to 65535.", status: StatusCodes.Status400BadRequest);
            }
        }

        if (await directory.VmOfUserAsync(poolId, principal.UserId()!.Value) is not { } vm)
        {
            return Envelope.Error("The user has no VM in this pool.", status: StatusCodes.Status404NotFound);
        }

        var reply = await cluster.GetGrain<IVmGrain>(vm).UsbAsync(request);
        return Results.Content($"{{\"data\":{reply}}}", "application/json");
    }

    /// <summary>An IP address, or a host name of letters, digits, dots and hyphens (at most 253 characters).</summary>
    private static bool IsHost(string host) =>
        System.Net.IPAddress.TryParse(host, out _)
        || (host.Length <= 253 && host.Split('.').All(label => label.Length is > 0 and <= 63 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
                                                          && label[0] != '-' && label[^1] != '-'));

    private static async Task<IResult> FavoriteAsync(Guid id, ClaimsPrincipal user, IClusterClient cluster, ThinClientDirectory directory, bool favorite)
    {
        // a favourite only among the pools the user may use: no marks (or probes) on pools of others
        if (!(await directory.PoolsForAsync(user.UserId()!.Value, user.IsSuperuser(), favoritesOnly: false)).Any(p => p.Id == id))
        {
            return Envelope.Error("The pool does not exist or is not available to you.", status: StatusCodes.Status404NotFound);
        }

        await cluster.GetGrain<IUserGrain>(user.UserId()!.Value).SetFavoritePoolAsync(id, favorite);
        return Envelope.Data(new { ok = true });
    }

    private static async Task<IResult> SendTextAsync(TextMessageRequest body, ClaimsPrincipal user, IClusterClient cluster)
    {
        var message = body.Message?.Trim() ?? "";
        if (message.Length is 0 or > 2048)
        {
            return Envelope.Error("message must be 1 to 2048 characters.", status: StatusCodes.Status400BadRequest);
        }

        await cluster.GetGrain<IChatGrain>(0).UserToAdminsAsync(user.UserId()!.Value, user.UserName(), message);
        return Envelope.Data("success");
    }

    private static async Task<IResult> UpdateUserDataAsync(UserDataRequest body, ClaimsPrincipal user, IClusterClient cluster)
    {
        var view = await cluster.GetGrain<IUserGrain>(user.UserId()!.Value).SetTwoFactorAsync(body.TwoFactor ?? false, body.Code);
        return Envelope.Data(new { ok = true, user = new { two_factor = view.TwoFactor } });
    }

    private static async Task<IResult> VmDataAsync(Guid vmId, ClaimsPrincipal user, IClusterClient cluster)
    {
        var grain = cluster.GetGrain<IVmGrain>(vmId);
        var vm = await grain.GetAsync();
        if (vm is null || !(vm.Owners.Contains(user.UserId()!.Value) || user.IsSuperuser()))
        {
            return Envelope.Error("VM not found.", status: StatusCodes.Status404NotFound);
        }

        // the controller's record as it is (reading never powers the VM on), plus where to reach its console
        var data = await grain.ReadDomainAsync();
        var domain = JsonNode.Parse(data.DomainJson) as JsonObject ?? [];
        domain["controller_address"] = data.ControllerAddress;
        domain["spice_conn"] = new JsonObject { ["address"] = data.SpiceAddress, ["port"] = data.SpicePort };
        return Results.Content(new JsonObject { ["data"] = domain }.ToJsonString(), "application/json");
    }

    /// <summary>
    /// Preparation progress, echoing the request id: straight to the asking client's socket when this gateway holds it,
    /// otherwise to the user's sockets wherever they are.
    /// </summary>
    private sealed class Progress(IClusterClient cluster, IReadOnlyList<ClientConnection> here, Guid userId, long? requestId)
    {
        public async Task ReportAsync(int progress, string message)
        {
            var json = JsonSerializer.Serialize(new
            {
                msg_type = "data",
                resource = LiveStreams.Domains,
                @event = "vm_preparation_progress",
                user_id = userId,
                progress,
                msg = message,
                request_id = requestId,
            });
            if (here.Count == 0)
            {
                await cluster.GetGrain<IUserSessionsGrain>(userId).SendAsync(json);
                return;
            }

            foreach (var client in here)
            {
                await client.SendAsync(json);
            }
        }
    }
}
