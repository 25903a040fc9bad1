using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>Pools: create (each type), list, read, update, copy, remove, expand, clear errors, prepare, VMs, entitlements.</summary>
public static class PoolsApi
{
    public sealed record CopyRequest(string? VerboseName);

    public sealed record TemplateRequest(Guid? TemplateId);

    public sealed record VmsRequest(IReadOnlyList<Guid>? Vms, bool? DeleteComputersFromAd = null);

    public sealed record EntitlementsRequest(IReadOnlyList<Guid>? Users, IReadOnlyList<Guid>? Groups);

    public static RouteGroupBuilder MapPoolsApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/pools").WithTags("Pools").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", (AdminQueries queries, string? status, Guid? controller_id, string? q, [AsParameters] Paging paging) =>
            queries.PoolsAsync(status, controller_id, q, paging));
        g.MapPost("/", CreateAsync);
        g.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await Pool(cluster, id).GetAsync() ?? throw new BrokerException(ErrorKind.NotFound, $"no pool has the id {id}"));
        g.MapGet("/{id:guid}/counts", (Guid id, IClusterClient cluster) => Pool(cluster, id).GetCountsAsync());
        g.MapPatch("/{id:guid}", async (Guid id, JsonElement body, IClusterClient cluster, ClaimsPrincipal user, IOptions<JsonOptions> json) =>
            await Pool(cluster, id).UpdateAsync(Settings(body, json.Value), user.UserName()));
        g.MapPost("/{id:guid}/copy", async (Guid id, CopyRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var copy = await Pool(cluster, id).CopyAsync(Guid.NewGuid(), body.VerboseName ?? "", user.UserName());
            return TypedResults.Created($"/api/admin/pools/{copy.Id}", copy);
        });
        g.MapDelete("/{id:guid}", async (Guid id, bool? delete_vms, bool? delete_computers_from_ad, IClusterClient cluster, ClaimsPrincipal user) =>
            TypedResults.Accepted($"/api/admin/tasks", await Pool(cluster, id).RemoveAsync(delete_vms ?? true, user.UserName(), delete_computers_from_ad ?? false)));
        g.MapPost("/{id:guid}/expand", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
            TypedResults.Accepted("/api/admin/tasks", await Pool(cluster, id).ExpandAsync(user.UserName())));
        g.MapPost("/{id:guid}/clear", (Guid id, IClusterClient cluster, ClaimsPrincipal user) => Pool(cluster, id).ClearAsync(user.UserName()));
        // the original's POOL_TEMPLATE_CHANGE: the new golden image for new clones and for the VMs nobody is in
        g.MapPost("/{id:guid}/template", async (Guid id, TemplateRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
            TypedResults.Accepted("/api/admin/tasks", await Pool(cluster, id).ChangeTemplateAsync(body.TemplateId ?? Guid.Empty, user.UserName())));
        g.MapPost("/{id:guid}/prepare", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
            TypedResults.Accepted("/api/admin/tasks", await Pool(cluster, id).PrepareAsync(user.UserName())));
        g.MapGet("/{id:guid}/vms", (Guid id, AdminQueries queries, string? q, [AsParameters] Paging paging) => queries.PoolVmsAsync(id, q, paging));
        g.MapGet("/{id:guid}/users", (Guid id, AdminQueries q, [AsParameters] Paging paging) => q.PoolUsersAsync(id, paging));
        g.MapGet("/{id:guid}/groups", (Guid id, AdminQueries q, [AsParameters] Paging paging) => q.PoolGroupsAsync(id, paging));
        g.MapPost("/{id:guid}/vms", (Guid id, VmsRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
            Pool(cluster, id).AddVmsAsync(body.Vms ?? [], user.UserName()));
        g.MapPost("/{id:guid}/vms/remove", async (Guid id, VmsRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
            TypedResults.Accepted("/api/admin/tasks", await Pool(cluster, id).RemoveVmsAsync(body.Vms ?? [], user.UserName(), body.DeleteComputersFromAd ?? false)));
        g.MapPost("/{id:guid}/entitlements", async (Guid id, EntitlementsRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            await Pool(cluster, id).EntitleAsync(body.Users ?? [], body.Groups ?? [], user.UserName());
            return TypedResults.NoContent();
        });
        g.MapPost("/{id:guid}/entitlements/remove", async (Guid id, EntitlementsRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            await Pool(cluster, id).UnentitleAsync(body.Users ?? [], body.Groups ?? [], user.UserName());
            return TypedResults.NoContent();
        });
        return admin;
    }

    private static async Task<IResult> CreateAsync(JsonElement body, IClusterClient cluster, ClaimsPrincipal user, IOptions<JsonOptions> json)
    {
        var typeText = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("pool_type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()
            : null;
        if (!WireNames.TryParseWire<PoolType>(typeText, out var type))
        {
            return AdminErrors.Field("pool_type", "pool_type must be AUTOMATED, STATIC, GUEST or RDS");
        }

        var view = await Pool(cluster, Guid.NewGuid()).CreateAsync(type, Settings(body, json.Value), user.UserName());
        return TypedResults.Created($"/api/admin/pools/{view.Id}", view);
    }

    private static PoolSettings Settings(JsonElement body, JsonOptions json)
    {
        try
        {
            return body.Deserialize<PoolSettings>(json.SerializerOptions) ?? new PoolSettings();
        }
        catch (JsonException e)
        {
            var field = e.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body";
            throw new BrokerException(ErrorKind.Invalid, $"{field}: {e.Message.Split('.')[0]}", field);
        }
    }

    private static IPoolGrain Pool(IClusterClient cluster, Guid id) => cluster.GetGrain<IPoolGrain>(id);
}
