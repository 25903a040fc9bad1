using Vdi.Simulator.Events;
using Vdi.Simulator.Inventory;

namespace Vdi.Simulator.Api;

/// <summary>Clusters, nodes, resource pools and data pools: read-only lists and details.</summary>
public static class ResourceApi
{
    public static RouteGroupBuilder MapResources(this RouteGroupBuilder api)
    {
        api.MapGet("/clusters/", (HttpRequest r, SimInventory inv) => Paging.Page(r, inv.Clusters.Select(Cluster)));
        api.MapGet("/clusters/{id:guid}/", (Guid id, SimInventory inv) => One(inv.Clusters.Where(c => c.Id == id).Select(Cluster)));
        api.MapGet("/nodes/", (HttpRequest r, SimInventory inv, Guid? cluster) =>
            Paging.Page(r, inv.Nodes.Where(n => cluster is null || n.ClusterId == cluster).Select(inv.RepresentNode)));
        api.MapGet("/nodes/{id:guid}/", (Guid id, SimInventory inv) => One(inv.Nodes.Where(n => n.Id == id).Select(inv.RepresentNode)));
        api.MapGet("/resource-pools/", (HttpRequest r, SimInventory inv, Guid? cluster) =>
            Paging.Page(r, inv.ResourcePools.Where(p => cluster is null || p.ClusterId == cluster).Select(ResourcePool)));
        api.MapGet("/resource-pools/{id:guid}/", (Guid id, SimInventory inv) => One(inv.ResourcePools.Where(p => p.Id == id).Select(ResourcePool)));
        api.MapGet("/data-pools/", (HttpRequest r, SimInventory inv) => Paging.Page(r, inv.DataPools.Select(DataPool)));
        api.MapGet("/data-pools/{id:guid}/", (Guid id, SimInventory inv) => One(inv.DataPools.Where(p => p.Id == id).Select(DataPool)));
        return api;
    }

    public static IResult One(IEnumerable<Dictionary<string, object?>> found) =>
        found.FirstOrDefault() is { } item ? Results.Json(item, EventHub.Json) : EcpErrors.NotFound();

    private static Dictionary<string, object?> Cluster(SimCluster c) =>
        Paging.Fields(("id", c.Id), ("verbose_name", c.VerboseName), ("status", "ACTIVE"));

    private static Dictionary<string, object?> ResourcePool(SimResourcePool p) =>
        Paging.Fields(("id", p.Id), ("verbose_name", p.VerboseName), ("cluster", p.ClusterId), ("status", "ACTIVE"));

    private static Dictionary<string, object?> DataPool(SimDataPool p) =>
        Paging.Fields(("id", p.Id), ("verbose_name", p.VerboseName), ("type", p.Type), ("status", "ACTIVE"),
            ("free_space", p.FreeSpaceMb), ("used_space", 0));
}
