using System.Security.Claims;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Grains.Interfaces.Errors;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// Directory services (issue 15): the directories users sign in against, for security administrators. The service
/// account's password goes in and never comes out (a view says <c>has_service_password</c>).
/// </summary>
public static class DirectoriesApi
{
    public sealed record DirectoryRequest(string? VerboseName, DirectoryKind? Kind, IReadOnlyList<string>? Servers, DirectorySecurity? Security,
        string? BaseDn, string? ServiceDn, string? ServicePassword, string? Domain, string? CaDirectory, int? Timeout, bool? Enabled,
        IReadOnlyList<DirectoryMapping>? Mappings, bool? CreateUsers = null, IReadOnlyList<DirectoryGroupSync>? GroupSyncs = null, int? SyncMinutes = null,
        IReadOnlyList<TrustedDomain>? TrustedDomains = null)
    {
        public DirectorySettings ToSettings() => new()
        {
            VerboseName = VerboseName, Kind = Kind, Servers = Servers, Security = Security, BaseDn = BaseDn, ServiceDn = ServiceDn,
            ServicePassword = ServicePassword, Domain = Domain, CaDirectory = CaDirectory, TimeoutSeconds = Timeout, Enabled = Enabled,
            Mappings = Mappings, CreateUsers = CreateUsers, GroupSyncs = GroupSyncs, SyncMinutes = SyncMinutes, TrustedDomains = TrustedDomains,
        };
    }

    public sealed record GroupSyncRequest(string? DirectoryGroup, Guid? GroupId);

    public static RouteGroupBuilder MapDirectoriesApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/directories").WithTags("Directories").RequireAuthorization(Roles.SecurityAdministratorPolicy);
        g.MapGet("/", (AdminQueries q, [AsParameters] Paging paging) => q.DirectoriesAsync(paging));
        g.MapPost("/", async (DirectoryRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var view = await cluster.GetGrain<IDirectoryGrain>(Guid.NewGuid()).CreateAsync(body.ToSettings(), user.UserName());
            return TypedResults.Created($"/api/admin/directories/{view.Id}", view);
        });
        g.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await cluster.GetGrain<IDirectoryGrain>(id).GetAsync() ?? throw BrokerException.NotFound($"no directory has the id {id}"));
        g.MapPatch("/{id:guid}", (Guid id, DirectoryRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
            cluster.GetGrain<IDirectoryGrain>(id).UpdateAsync(body.ToSettings(), user.UserName()));
        g.MapDelete("/{id:guid}", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            await cluster.GetGrain<IDirectoryGrain>(id).DeleteAsync(user.UserName());
            return TypedResults.NoContent();
        });
        g.MapPost("/{id:guid}/test", (Guid id, IClusterClient cluster) => cluster.GetGrain<IDirectoryGrain>(id).TestAsync());
        // AD_SYNCHRONIZE_GROUP and the user sync run as tasks: 202 with the task, followed and cancelled at /api/admin/tasks
        g.MapPost("/{id:guid}/sync-group", async (Guid id, GroupSyncRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            if (string.IsNullOrWhiteSpace(body.DirectoryGroup) || body.GroupId is not { } groupId)
            {
                return AdminErrors.Field(string.IsNullOrWhiteSpace(body.DirectoryGroup) ? "directory_group" : "group_id",
                    "name the directory group (directory_group) and the broker group (group_id)");
            }

            var task = await cluster.GetGrain<IDirectoryGrain>(id).SynchronizeGroupAsync(body.DirectoryGroup, groupId, user.UserName());
            return Results.Accepted($"/api/admin/tasks/{task}", new { task_id = task });
        });
        g.MapPost("/{id:guid}/sync-users", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var task = await cluster.GetGrain<IDirectoryGrain>(id).SynchronizeUsersAsync(user.UserName());
            return Results.Accepted($"/api/admin/tasks/{task}", new { task_id = task });
        });
        return admin;
    }
}
