using Microsoft.Extensions.Options;
using Vdi.Simulator.Faults;
using Vdi.Simulator.Hosting;
using Vdi.Simulator.Inventory;
using Vdi.Simulator.Tasks;

namespace Vdi.Simulator.Api;

/// <summary>Creating and removing domains: thin-clone multi-create, full clone, remove.</summary>
public static class CloneApi
{
    public const int MaxBatch = 100;

    public static RouteGroupBuilder MapCloning(this RouteGroupBuilder api)
    {
        api.MapPost("/domains/multi-create-domain/", MultiCreate);
        api.MapPost("/domains/{id:guid}/clone/", async (Guid id, HttpRequest request, SimInventory inv, TaskBook tasks,
            IOptions<SimulatorOptions> options, DomainOperations ops, FaultState faults) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var newId = body.Guids("domains_ids").FirstOrDefault() is var g && g != Guid.Empty ? g : body.Guid("domain_id") ?? Guid.NewGuid();
            var name = body.String("verbose_name") ?? $"clone-{newId.ToString()[..8]}";
            if (!inv.Exists(id))
            {
                return EcpErrors.NotFound();
            }

            var task = StartCloning(tasks, inv, ops, options.Value, faults, id, [(newId, name)], thin: false, numbered: false, body);
            return EcpErrors.Accepted(task, new { id = newId });
        });
        api.MapPost("/domains/{id:guid}/remove/", (Guid id, DomainOperations ops) => EcpErrors.Accepted(ops.Remove(id)));
        return api;
    }

    private static async Task<IResult> MultiCreate(HttpRequest request, SimInventory inv, TaskBook tasks,
        IOptions<SimulatorOptions> options, DomainOperations ops, FaultState faults)
    {
        var body = await JsonBody.ReadAsync(request);
        var parent = body.Guid("parent") ?? body.Guid("template");
        var count = body.Int("count") ?? 1;
        var name = body.String("verbose_name");
        if (parent is null || !inv.Exists(parent.Value))
        {
            return EcpErrors.BadRequest("parent: a template id is required.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return EcpErrors.BadRequest("verbose_name is required.");
        }

        if (count is < 1 or > MaxBatch)
        {
            return EcpErrors.BadRequest($"count must be between 1 and {MaxBatch}.");
        }

        var ids = body.Guids("domains_ids");
        if (ids.Count != 0 && ids.Count != count)
        {
            return EcpErrors.BadRequest("domains_ids must hold one id per domain.");
        }

        var planned = Enumerable.Range(0, count).Select(i => (Id: ids.Count > 0 ? ids[i] : Guid.NewGuid(), Name: name)).ToList();
        var task = StartCloning(tasks, inv, ops, options.Value, faults, parent.Value, planned, thin: body.Bool("thin", true), numbered: true, body);
        return EcpErrors.Accepted(task, new { domains_ids = planned.Select(p => p.Id) });
    }

    /// <summary>Clones one by one; each clone is a subtask "Creating a virtual machine ...". A fault stops it part-way.</summary>
    private static SimTask StartCloning(TaskBook tasks, SimInventory inv, DomainOperations ops, SimulatorOptions options,
        FaultState faults, Guid parent, List<(Guid Id, string Name)> planned, bool thin, bool numbered, System.Text.Json.JsonElement body)
    {
        var remoteAccess = body.Bool("remote_access");
        var startOn = body.Bool("start_on");
        var setHostname = body.Bool("set_hostname");
        var resourcePool = body.Guid("resource_pool");
        var failAfter = faults.FailCloneAfter;
        return tasks.Run(planned.Count == 1 ? "Creating a virtual machine" : "Multi create domains",
            planned.ToDictionary(p => p.Id, _ => "domain"), async (task, ct) =>
            {
                for (var i = 0; i < planned.Count; i++)
                {
                    var (id, name) = planned[i];
                    await Task.Delay(options.ClonePerVmMilliseconds, ct);
                    var sub = tasks.Create($"Creating a virtual machine {name}.", new() { [id] = "domain" }, task.Id);
                    if (failAfter is { } n && i >= n)
                    {
                        tasks.Finish(sub, "Not enough free space on data pool.");
                        return $"Not enough free space on data pool. Created {i} of {planned.Count}.";
                    }

                    if (!inv.Clone(parent, id, name, thin, resourcePool, numbered))
                    {
                        tasks.Finish(sub, $"Domain id {id} is already taken.");
                        return $"Domain id {id} is already taken.";
                    }

                    inv.Update(id, d =>
                    {
                        d.RemoteAccess = remoteAccess;
                        d.Hostname = setHostname ? d.VerboseName : null;
                    });
                    if (startOn)
                    {
                        ops.ApplyPower(id, "start", false);
                    }

                    tasks.Finish(sub, null);
                    tasks.SetProgress(task, (i + 1) * 100 / planned.Count);
                }

                return null;
            });
    }
}
