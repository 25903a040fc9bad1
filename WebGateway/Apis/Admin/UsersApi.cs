using System.Security.Claims;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Interfaces.Users;
using Vdi.Shared.Settings;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>Users and groups, as far as pools need them (the full user management comes with the admin panel).</summary>
public static class UsersApi
{
    public sealed record CreateUserRequest(string? Username, string? Password, IReadOnlyList<string>? Roles, bool? IsSuperuser,
        string? FirstName, string? LastName, string? Email);

    public sealed record CreateGroupRequest(string? VerboseName, string? Description);

    public sealed record MembersRequest(IReadOnlyList<Guid>? Users);

    public sealed record UpdateGroupRequest(string? VerboseName, string? Description, IReadOnlyList<string>? Roles, IReadOnlyList<string>? TkPermissions);

    public sealed record UpdateUserRequest(string? FirstName, string? LastName, string? Email, bool? IsSuperuser, bool? IsActive,
        IReadOnlyList<string>? Roles, string? Password, IReadOnlyList<string>? TkPermissions, bool? ResetTwoFactor);

    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users").WithTags("Users").RequireAuthorization(Roles.SecurityAdministratorPolicy);
        users.MapPost("/", async (CreateUserRequest body, IClusterClient cluster, ClaimsPrincipal user, SettingsCache settings) =>
        {
            await RequireStrongAsync(settings, body.Password, body.Username);
            var roles = ParseRoles(body.Roles ?? []);
            PrivilegeRules.CheckCreate(user, body.IsSuperuser ?? false, roles);

            var name0 = body.Username?.Trim() ?? "";
            var created = await cluster.ForName(name0).CreateUserAsync(new NewUser(name0, body.Password ?? "", body.IsSuperuser ?? false,
                roles, user.UserName(), body.FirstName ?? "", body.LastName ?? "", body.Email ?? ""));
            return TypedResults.Created($"/api/admin/users/{created.Id}", created);
        });
        users.MapGet("/", (AdminQueries queries, string? q, [AsParameters] Paging paging) => queries.UsersAsync(q, paging));
        users.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await cluster.GetGrain<IUserGrain>(id).GetAsync() ?? throw BrokerException.NotFound($"no user has the id {id}"));
        users.MapPatch("/{id:guid}", async (Guid id, UpdateUserRequest body, IClusterClient cluster, ClaimsPrincipal user, SettingsCache settings,
            AdminQueries queries) =>
        {
            var grain = cluster.GetGrain<IUserGrain>(id);
            var target = await grain.GetAsync() ?? throw BrokerException.NotFound($"no user has the id {id}");
            if (body.Password is not null)
            {
                await RequireStrongAsync(settings, body.Password, target.Username);
            }

            var change = new UserChanges
            {
                FirstName = body.FirstName,
                LastName = body.LastName,
                Email = body.Email,
                IsSuperuser = body.IsSuperuser,
                IsActive = body.IsActive,
                Roles = body.Roles is null ? null : ParseRoles(body.Roles),
                Password = body.Password,
                TkPermissions = body.TkPermissions,
                ResetTwoFactor = body.ResetTwoFactor ?? false,
            };
            await PrivilegeRules.CheckUpdateAsync(user, target, change, queries.ActiveSuperusersAsync);
            return await grain.UpdateAsync(change, user.UserName());
        });

        users.MapPost("/{id:guid}/unlock", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var grain = cluster.GetGrain<IUserGrain>(id);
            PrivilegeRules.CheckUnlock(user, await grain.GetAsync() ?? throw BrokerException.NotFound($"no user has the id {id}"));
            return await grain.UnlockAsync(user.UserName());
        });
        users.MapDelete("/{id:guid}", async (Guid id, IClusterClient cluster, ClaimsPrincipal user, AdminQueries queries) =>
        {
            var grain = cluster.GetGrain<IUserGrain>(id);
            var target = await grain.GetAsync() ?? throw BrokerException.NotFound($"no user has the id {id}");
            await PrivilegeRules.CheckDeleteAsync(user, target, queries.ActiveSuperusersAsync);
            await grain.DeleteAsync(user.UserName());
            return TypedResults.NoContent();
        });

        var groups = admin.MapGroup("/groups").WithTags("Groups").RequireAuthorization(Roles.SecurityAdministratorPolicy);
        groups.MapGet("/", (AdminQueries q, [AsParameters] Paging paging) => q.GroupsAsync(paging));
        groups.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await cluster.GetGrain<IGroupGrain>(id).GetAsync() ?? throw BrokerException.NotFound($"no group has the id {id}"));
        groups.MapPatch("/{id:guid}", async (Guid id, UpdateGroupRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var group = cluster.GetGrain<IGroupGrain>(id);
            var roles = body.Roles is null ? null : ParseRoles(body.Roles);
            PrivilegeRules.CheckGroupRoles(user, (await group.GetAsync())?.Roles ?? [], roles);
            return await group.UpdateAsync(new GroupChanges(body.VerboseName, body.Description, roles, body.TkPermissions), user.UserName());
        });
        groups.MapDelete("/{id:guid}", async (Guid id, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var group = cluster.GetGrain<IGroupGrain>(id);
            PrivilegeRules.CheckMembership(user, (await group.GetAsync() ?? throw BrokerException.NotFound($"no group has the id {id}")).Roles ?? []);
            await group.DeleteAsync(user.UserName());
            return TypedResults.NoContent();
        });
        groups.MapGet("/{id:guid}/members", (Guid id, AdminQueries q, [AsParameters] Paging paging) => q.GroupMembersAsync(id, paging));
        groups.MapPost("/", async (CreateGroupRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var group = await cluster.GetGrain<IGroupGrain>(Guid.NewGuid()).CreateAsync(body.VerboseName ?? "", body.Description ?? "", user.UserName());
            return TypedResults.Created($"/api/admin/groups/{group.Id}", group);
        });
        groups.MapPost("/{id:guid}/members", async (Guid id, MembersRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var group = cluster.GetGrain<IGroupGrain>(id);
            PrivilegeRules.CheckMembership(user, (await group.GetAsync())?.Roles ?? []);
            return await group.AddMembersAsync(body.Users ?? [], user.UserName());
        });
        groups.MapPost("/{id:guid}/members/remove", async (Guid id, MembersRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var group = cluster.GetGrain<IGroupGrain>(id);
            PrivilegeRules.CheckMembership(user, (await group.GetAsync())?.Roles ?? []);
            return await group.RemoveMembersAsync(body.Users ?? [], user.UserName());
        });
        return admin;
    }

    private static async Task RequireStrongAsync(SettingsCache settings, string? password, string? username)
    {
        if (PasswordPolicy.Check((await settings.GetAsync()).PasswordSecurityLevel, password, username) is { } problem)
        {
            throw BrokerException.Invalid("password", problem);
        }
    }

    private static List<Role> ParseRoles(IReadOnlyList<string> names) =>
        [.. names.Select(name => WireNames.TryParseWire<Role>(name, out var role) ? role : throw BrokerException.Invalid("roles", $"roles: unknown role {name}"))];
}
