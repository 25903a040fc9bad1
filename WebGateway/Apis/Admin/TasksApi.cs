using System.Security.Claims;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>Tasks: list with filters, read, cancel one, or cancel by pool, by controller, or all.</summary>
public static class TasksApi
{
    public sealed record CancelRequest(Guid? PoolId, Guid? ControllerId, bool? All);

    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/tasks").WithTags("Tasks").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", (AdminQueries q, string? status, string? task_type, Guid? pool_id, [AsParameters] Paging paging) =>
            q.TasksAsync(status, task_type, pool_id, paging));
        g.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await cluster.GetGrain<ITaskGrain>(id).GetAsync() ?? throw BrokerException.NotFound($"no task has the id {id}"));
        g.MapPost("/{id:guid}/cancel", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
            await cluster.GetGrain<ITaskGrain>(id).CancelAsync(user.UserName()) ?? throw BrokerException.NotFound($"no task has the id {id}"));
        g.MapPost("/cancel", async (CancelRequest body, AdminQueries q, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            if (body.PoolId is null && body.ControllerId is null && body.All != true)
            {
                return AdminErrors.Field("pool_id", "name pool_id or controller_id, or set all to true");
            }

            var ids = await q.UnfinishedTasksAsync(body.PoolId, body.ControllerId);
            foreach (var id in ids)
            {
                await cluster.GetGrain<ITaskGrain>(id).CancelAsync(user.UserName());
            }

            return Results.Ok(new { cancelled = ids });
        });
        return admin;
    }
}
