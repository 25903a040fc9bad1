using System.Security.Claims;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>Controllers: list, add, update, test, service mode, activate, remove, browse resources.</summary>
public static class ControllersApi
{
    /// <summary>
    /// The controller's TLS trust: the PEM CA certificates that issue its certificate, or its certificate's SHA-256
    /// fingerprint; both empty: this host's trust store.
    /// </summary>
    public sealed record TlsRequest(string? CaCertificates, string? PinnedSha256)
    {
        public ControllerTls ToTls() => new(CaCertificates ?? "", PinnedSha256 ?? "");
    }

    public sealed record AddControllerRequest(string? VerboseName, string? Address, string? Token, string? Description, TlsRequest? Tls = null);

    /// <summary>A missing <c>tls</c> keeps the trust; <c>{}</c> returns to the host's trust store.</summary>
    public sealed record UpdateControllerRequest(string? VerboseName, string? Address, string? Token, string? Description, TlsRequest? Tls = null);

    public static RouteGroupBuilder MapControllersApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/controllers").WithTags("Controllers").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", (AdminQueries q, [AsParameters] Paging paging) => q.ControllersAsync(paging));
        g.MapPost("/", async (AddControllerRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var view = await cluster.GetGrain<IControllerGrain>(Guid.NewGuid())
                .AddAsync(new ControllerRegistration(body.VerboseName ?? "", body.Address ?? "", body.Token ?? "", body.Description ?? "", user.UserName(), body.Tls?.ToTls()));
            return TypedResults.Created($"/api/admin/controllers/{view.Id}", view);
        });
        g.MapGet("/{id:guid}", async (Guid id, IClusterClient cluster) =>
            await Controller(cluster, id).GetAsync() ?? throw BrokerException.NotFound($"no controller has the id {id}"));
        g.MapPatch("/{id:guid}", (Guid id, UpdateControllerRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
            Controller(cluster, id).UpdateAsync(new ControllerChanges(user.UserName(), body.VerboseName, body.Address, body.Token, body.Description, body.Tls?.ToTls())));
        g.MapPost("/{id:guid}/test", (Guid id, IClusterClient cluster, ClaimsPrincipal user) => Controller(cluster, id).TestAsync(user.UserName()));
        g.MapPost("/{id:guid}/service", (Guid id, IClusterClient cluster, ClaimsPrincipal user) => Controller(cluster, id).EnterServiceAsync(user.UserName()));
        g.MapPost("/{id:guid}/activate", (Guid id, IClusterClient cluster, ClaimsPrincipal user) => Controller(cluster, id).ActivateAsync(user.UserName()));
        // refused while the controller has pools; force removes them with it (their VMs stay on the controller)
        g.MapDelete("/{id:guid}", async Task<IResult> (Guid id, bool? force, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            if (force == true)
            {
                return TypedResults.Accepted("/api/admin/tasks", await Controller(cluster, id).RemoveWithPoolsAsync(user.UserName()));
            }

            await Controller(cluster, id).RemoveAsync(user.UserName());
            return TypedResults.NoContent();
        });
        // the controller's own event log (the original's "ECP VeiL events"), read from the controller page by page
        g.MapGet("/{id:guid}/events", async (Guid id, int? event_type, [AsParameters] Rows.Paging paging, IClusterClient cluster) =>
            event_type is null or (>= 0 and <= 2)
                ? Results.Ok(await Controller(cluster, id).ListEventsAsync(paging.Take, paging.Skip, event_type))
                : AdminErrors.Field("event_type", "event_type: 0 (info), 1 (warning) or 2 (error)"));
        g.MapGet("/{id:guid}/{kind}", async (Guid id, string kind, IClusterClient cluster) =>
            WireNames.TryParseWire<ResourceKind>(kind.Replace("-", "_", StringComparison.Ordinal), out var k)
                ? Results.Ok(await Controller(cluster, id).ListResourcesAsync(k))
                : AdminErrors.Field("kind", "kind must be clusters, nodes, resource-pools, data-pools, templates or vms"));
        return admin;
    }

    private static IControllerGrain Controller(IClusterClient cluster, Guid id) => cluster.GetGrain<IControllerGrain>(id);
}
