using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The resources of all the broker's controllers in one list (the original's Resources section): clusters, nodes
/// (load), resource and data pools (free space), templates and VMs, searched by name, ordered and paged, with counts
/// per kind, one resource's details read from its controller now, and the cache of those lists cleared on demand.
/// A controller that cannot be asked is named in <c>unavailable</c>; the others still answer.
/// </summary>
public static class ResourcesApi
{
    private static readonly string[] Orderings = ["verbose_name", "status", "controller"];

    public static RouteGroupBuilder MapResourcesApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/resources").WithTags("Resources").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/counts", async (AdminQueries queries, IClusterClient cluster) =>
        {
            var (controllers, unavailable) = (await Controllers(queries), new List<string>());
            var counts = new Dictionary<string, int>();
            foreach (var kind in Enum.GetValues<ResourceKind>())
            {
                var (rows, down) = await CollectAsync(cluster, controllers, kind, null);
                counts[Wire(kind)] = rows.Count;
                unavailable.AddRange(down.Except(unavailable));
            }

            return Results.Ok(new { counts, unavailable });
        });
        g.MapPost("/cache/clear", async (AdminQueries queries, IClusterClient cluster) =>
        {
            var controllers = await Controllers(queries);
            foreach (var c in controllers)
            {
                await cluster.GetGrain<IControllerGrain>(c.Id).ClearResourceCacheAsync();
            }

            return Results.Ok(new { cleared = controllers.Count });
        });
        g.MapGet("/{kind}", async (string kind, Guid? controller_id, string? q, [AsParameters] Paging paging, AdminQueries queries, IClusterClient cluster) =>
        {
            var k = Kind(kind);
            var ordering = (paging.Ordering ?? "verbose_name").Trim();
            var field = ordering.TrimStart('-');
            if (!Orderings.Contains(field))
            {
                return AdminErrors.Field("ordering", $"ordering: one of {string.Join(", ", Orderings)}, with - for descending");
            }

            if (q is { Length: > 128 })
            {
                return AdminErrors.Field("q", "q: at most 128 characters");
            }

            var (rows, unavailable) = await CollectAsync(cluster, await Controllers(queries), k, controller_id);
            IEnumerable<ResourceRow> found = rows.Where(r => string.IsNullOrWhiteSpace(q) || r.VerboseName.Contains(q.Trim(), StringComparison.OrdinalIgnoreCase));
            Func<ResourceRow, string> key = field switch { "status" => r => r.Status, "controller" => r => r.Controller, _ => r => r.VerboseName };
            var ordered = (ordering.StartsWith('-') ? found.OrderByDescending(key, StringComparer.OrdinalIgnoreCase) : found.OrderBy(key, StringComparer.OrdinalIgnoreCase))
                .ThenBy(r => r.Id).ToList();
            return Results.Ok(new { count = ordered.Count, results = ordered.Skip(paging.Skip).Take(paging.Take), unavailable });
        });
        g.MapGet("/{kind}/{id:guid}", async (string kind, Guid id, Guid controller_id, IClusterClient cluster) =>
            await cluster.GetGrain<IControllerGrain>(controller_id).GetResourceAsync(Kind(kind), id)
            ?? throw BrokerException.NotFound($"the controller has no {kind.TrimEnd('s')} {id}"));
        return admin;
    }

    private static async Task<IReadOnlyList<ControllerRow>> Controllers(AdminQueries queries) =>
        [.. (await queries.ControllersAsync(new Paging(Paging.MaxLimit, 0, null))).Results.Where(c => c.Status is "ACTIVE")];

    private static async Task<(List<ResourceRow> Rows, List<string> Unavailable)> CollectAsync(IClusterClient cluster, IReadOnlyList<ControllerRow> controllers,
        ResourceKind kind, Guid? only)
    {
        var rows = new List<ResourceRow>();
        var unavailable = new List<string>();
        foreach (var c in controllers.Where(c => only is null || c.Id == only))
        {
            try
            {
                rows.AddRange((await cluster.GetGrain<IControllerGrain>(c.Id).ListResourcesAsync(kind)).Select(r => new ResourceRow
                {
                    Id = r.Id, VerboseName = r.VerboseName, Status = r.Status, ControllerId = c.Id, Controller = c.VerboseName, Details = r.Details,
                }));
            }
            catch (BrokerException e) when (e.Kind is not ErrorKind.DependencyUnavailable)
            {
                unavailable.Add(c.VerboseName); // a controller that cannot answer now is named; the others still count
            }
        }

        return (rows, unavailable);
    }

    private static string Wire(ResourceKind kind) => kind.ToWire().ToLowerInvariant();

    private static ResourceKind Kind(string kind) =>
        WireNames.TryParseWire<ResourceKind>(kind.Replace("-", "_", StringComparison.Ordinal).ToUpperInvariant(), out var k)
            ? k
            : throw BrokerException.Invalid("kind", "kind must be clusters, nodes, resource-pools, data-pools, templates or vms");
}
