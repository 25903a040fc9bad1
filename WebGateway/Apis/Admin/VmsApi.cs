using Vdi.Grains.Interfaces.Tasks;
using Vdi.WebGateway.Apis.Admin.Rows;
using System.Security.Claims;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Interfaces.Vms;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>One VM: read, assign to or free from a user, reserve, power actions.</summary>
public static class VmsApi
{
    public sealed record UserRequest(Guid? UserId, string? Username);

    public sealed record ReserveRequest(bool Reserved);

    public sealed record TemplateRequest(string? VerboseName);

    /// <summary>A connection override: the address (a host name or IP), the port (none: the protocol's), active (default true).</summary>
    public sealed record OverrideRequest(string? Address, int? Port, bool? Active);

    /// <summary>The power actions by their URL names: each action's lower-case wire name, and force-shutdown.</summary>
    private static readonly Dictionary<string, (PowerAction Action, bool Force)> PowerActions =
        Enum.GetValues<PowerAction>().ToDictionary(a => a.ToWireLower(), a => (a, false))
            .Append(new("force-shutdown", (PowerAction.Shutdown, true))).ToDictionary();

    public static RouteGroupBuilder MapVmsApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/vms").WithTags("VMs").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", (AdminQueries queries, Guid? pool_id, string? q, string? status, [AsParameters] Paging paging) =>
            queries.VmsAsync(pool_id, q, status, paging));
        g.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await cluster.GetGrain<IVmGrain>(id).GetAsync() ?? throw BrokerException.NotFound($"the broker does not know VM {id}"));
        g.MapPost("/{id:guid}/assign", async (Guid id, UserRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var (pool, userId) = await ResolveAsync(cluster, id, body);
            await pool.AssignVmAsync(id, userId, user.UserName());
            return await cluster.GetGrain<IVmGrain>(id).GetAsync();
        });
        g.MapPost("/{id:guid}/free", async (Guid id, UserRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var (pool, userId) = await ResolveAsync(cluster, id, body);
            await pool.FreeVmAsync(id, userId, user.UserName());
            return await cluster.GetGrain<IVmGrain>(id).GetAsync();
        });
        g.MapPost("/{id:guid}/reserve", async (Guid id, ReserveRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var vm = await VmAsync(cluster, id);
            await cluster.GetGrain<IPoolGrain>(vm.PoolId!.Value).ReserveVmAsync(id, body.Reserved, user.UserName());
            return await cluster.GetGrain<IVmGrain>(id).GetAsync();
        });
        g.MapPost("/{id:guid}/power/{action}", async (Guid id, string action, IClusterClient cluster) =>
            PowerActions.TryGetValue(action, out var a)
                ? Results.Ok(await cluster.GetGrain<IVmGrain>(id).PowerAsync(a.Action, a.Force))
                : AdminErrors.Field("action", $"action must be one of {string.Join(", ", PowerActions.Keys)}"));
        // the original's vm_connection_data: where thin clients connect for a protocol (NAT, DMZ)
        g.MapGet("/{id:guid}/connection-data", async (Guid id, IClusterClient cluster) => await cluster.GetGrain<IVmGrain>(id).GetConnectionOverridesAsync());
        g.MapPut("/{id:guid}/connection-data/{protocol}", async (Guid id, string protocol, OverrideRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var p = Protocol(protocol);
            return await cluster.GetGrain<IVmGrain>(id).SetConnectionOverrideAsync(p, new ConnectionOverride(p, body.Address ?? "", body.Port, body.Active ?? true), user.UserName());
        });
        g.MapDelete("/{id:guid}/connection-data/{protocol}", async (Guid id, string protocol, IClusterClient cluster, ClaimsPrincipal user) =>
            await cluster.GetGrain<IVmGrain>(id).SetConnectionOverrideAsync(Protocol(protocol), null, user.UserName()));
        // golden images and preparation (the original's prepareVm, attachVeilUtilsVm, convertToTemplate) and its console
        g.MapPost("/{id:guid}/prepare", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var vm = await VmAsync(cluster, id);
            var pool = await cluster.GetGrain<IPoolGrain>(vm.PoolId!.Value).GetAsync() ?? throw BrokerException.NotFound($"VM {id} is not in a pool of the broker");
            return TypedResults.Accepted("/api/admin/tasks", await cluster.GetGrain<ITaskGrain>(Guid.NewGuid()).StartAsync(new BrokerTaskRequest
            {
                Type = BrokerTaskType.VmPrepare, EntityId = id, PoolId = pool.Id, Creator = user.UserName(),
                FullPreparation = pool.PoolType is PoolType.Automated or PoolType.Guest,
            }));
        });
        g.MapGet("/{id:guid}/console", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
            Results.Ok(new { url = await cluster.GetGrain<IVmGrain>(id).ConsoleUrlAsync(user.UserName()) }));
        g.MapPost("/{id:guid}/attach-guest-utils", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            await cluster.GetGrain<IVmGrain>(id).AttachGuestUtilsAsync(user.UserName());
            return TypedResults.NoContent();
        });
        g.MapPost("/{id:guid}/convert-to-template", async (Guid id, TemplateRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var template = await cluster.GetGrain<IVmGrain>(id).ConvertToTemplateAsync(body.VerboseName ?? "", user.UserName());
            return Results.Ok(new { template_id = template });
        });
        // the original's backupVm / restoreBackupVm, one VM at a time, through its controller
        g.MapGet("/{id:guid}/backups", async (Guid id, IClusterClient cluster) => await cluster.GetGrain<IVmGrain>(id).ListBackupsAsync());
        g.MapPost("/{id:guid}/backups", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            await cluster.GetGrain<IVmGrain>(id).BackupAsync(user.UserName());
            return TypedResults.Created($"/api/admin/vms/{id}/backups", await cluster.GetGrain<IVmGrain>(id).ListBackupsAsync());
        });
        g.MapPost("/{id:guid}/backups/{file:guid}/restore", async (Guid id, Guid file, IClusterClient cluster, ClaimsPrincipal user) =>
            Results.Ok(new { vm_id = await cluster.GetGrain<IVmGrain>(id).RestoreBackupAsync(file, user.UserName()) }));
        return admin;
    }

    private static ConnectionType Protocol(string protocol) =>
        WireNames.TryParseWire<ConnectionType>(protocol.Trim().ToUpperInvariant(), out var p)
            ? p
            : throw BrokerException.Invalid("connection_type", $"connection_type: one of {string.Join(", ", Enum.GetValues<ConnectionType>().Select(c => c.ToWire()))}");

    private static async Task<VmView> VmAsync(IClusterClient cluster, Guid id) =>
        await cluster.GetGrain<IVmGrain>(id).GetAsync() is { PoolId: not null } vm
            ? vm
            : throw BrokerException.NotFound($"VM {id} is not in a pool of the broker");

    private static async Task<(IPoolGrain Pool, Guid UserId)> ResolveAsync(IClusterClient cluster, Guid vmId, UserRequest body)
    {
        var vm = await VmAsync(cluster, vmId);
        var userId = body.UserId
            ?? (string.IsNullOrWhiteSpace(body.Username) ? null : await cluster.ForName(body.Username).FindUserIdAsync())
            ?? throw new BrokerException(ErrorKind.Invalid, "users: name an existing user by user_id or username", "users");
        return (cluster.GetGrain<IPoolGrain>(vm.PoolId!.Value), userId);
    }
}
