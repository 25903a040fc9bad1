using Vdi.Simulator.Events;
using Vdi.Simulator.Inventory;

namespace Vdi.Simulator.Api;

/// <summary>Domain lists, details and power actions.</summary>
public static class DomainApi
{
    public static RouteGroupBuilder MapDomains(this RouteGroupBuilder api)
    {
        api.MapGet("/domains/", List);
        api.MapGet("/domains/{id:guid}/", (Guid id, SimInventory inv) =>
            inv.Find(id) is { } d ? Results.Json(d, EventHub.Json) : EcpErrors.NotFound());
        api.MapPost("/domains/{id:guid}/{action:regex(^(start|shutdown|reboot|suspend|resume|reset)$)}/",
            async (Guid id, string action, HttpRequest request, DomainOperations ops) =>
            {
                var body = await JsonBody.ReadAsync(request);
                return EcpErrors.Accepted(ops.Power(id, action, body.Bool("force")));
            });
        api.MapPost("/domains/multi-manager/", MultiManager);
        return api;
    }

    private static IResult List(HttpRequest request, SimInventory inv)
    {
        var q = request.Query;
        bool? template = q["template"].ToString() switch { "1" or "true" => true, "0" or "false" => false, _ => null };
        var ids = q["ids"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => System.Guid.TryParse(s.Trim(), out var g) ? g : System.Guid.Empty).ToHashSet();
        var resourcePool = ParseGuid(q["resource_pool"]);
        var node = ParseGuid(q["node"]);
        var datapool = ParseGuid(q["datapool"]);
        var cluster = ParseGuid(q["cluster"]);
        var clusterNodes = cluster is null ? null : inv.Nodes.Where(n => n.ClusterId == cluster).Select(n => n.Id).ToHashSet();
        PowerState? power = q["power_state"].ToString() switch
        {
            "" => null,
            var s when int.TryParse(s, out var n) => (PowerState)n,
            var s => Enum.TryParse<PowerState>(s, ignoreCase: true, out var p) ? p : PowerState.Undefined,
        };

        var found = inv.Query(d =>
            (template is null || d.Template == template)
            && (ids.Count == 0 || ids.Contains(d.Id))
            && (resourcePool is null || d.ResourcePoolId == resourcePool)
            && (node is null || d.NodeId == node)
            && (datapool is null || d.DataPoolId == datapool)
            && (clusterNodes is null || clusterNodes.Contains(d.NodeId))
            && (power is null || d.PowerState == power));
        return Paging.Page(request, found);
    }

    private static async Task<IResult> MultiManager(HttpRequest request, SimInventory inv, DomainOperations ops, Tasks.TaskBook tasks,
        Microsoft.Extensions.Options.IOptions<Hosting.SimulatorOptions> options)
    {
        var body = await JsonBody.ReadAsync(request);
        var action = body.String("action") ?? "";
        var ids = body.Guids("entity_ids");
        if (action != "delete" && !DomainOperations.PowerActions.Contains(action))
        {
            return EcpErrors.BadRequest($"Unknown action '{action}'.");
        }

        if (ids.Count == 0)
        {
            return EcpErrors.BadRequest("entity_ids must not be empty.");
        }

        var force = body.Bool("force");
        var task = tasks.Start($"Multi {action}", ids.ToDictionary(i => i, _ => "domain"),
            TimeSpan.FromMilliseconds(options.Value.TaskMilliseconds), () =>
            {
                var failed = ids.Where(id => action == "delete" ? !inv.Remove(id) : ops.ApplyPower(id, action, force) is not null).ToList();
                return failed.Count == 0 ? null : $"{failed.Count} of {ids.Count} domains not found.";
            });
        return EcpErrors.Accepted(task);
    }

    private static Guid? ParseGuid(Microsoft.Extensions.Primitives.StringValues value) =>
        System.Guid.TryParse(value.ToString(), out var g) ? g : null;
}
