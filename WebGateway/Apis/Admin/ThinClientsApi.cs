using System.Security.Claims;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Shared.Settings;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>Thin-client sessions: send a message to one user or all, disconnect one session, a user, or all.</summary>
public static class ThinClientsApi
{
    public sealed record MessageRequest(Guid? UserId, string? Message);

    public sealed record DisconnectRequest(Guid? ConnId, Guid? UserId);

    public static RouteGroupBuilder MapThinClientsApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/thin-clients").WithTags("Thin clients").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", async (AdminQueries q, SettingsCache settings, bool? get_disconnected, Guid? user_id, [AsParameters] Paging paging) =>
            await q.SessionsAsync(get_disconnected ?? false, user_id, TimeSpan.FromSeconds((await settings.GetAsync()).AfkTimeoutSeconds), paging));
        g.MapPost("/message", async (MessageRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
            Results.Ok(new { delivered_to_sessions = await cluster.GetGrain<IChatGrain>(0).AdminToUsersAsync(user.UserName(), body.UserId, body.Message ?? "") }));
        g.MapPost("/disconnect", async (DisconnectRequest body, IClusterClient cluster, ThinClientDirectory directory) =>
        {
            if (body.ConnId is { } conn)
            {
                await cluster.GetGrain<IThinClientSessionGrain>(conn).DisconnectAsync();
            }
            else if (body.UserId is { } u)
            {
                await cluster.GetGrain<IUserSessionsGrain>(u).DisconnectAllAsync();
            }
            else
            {
                foreach (var id in await directory.ActiveSessionsAsync())
                {
                    await cluster.GetGrain<IThinClientSessionGrain>(id).DisconnectAsync();
                }
            }

            return TypedResults.NoContent();
        });
        return admin;
    }
}
