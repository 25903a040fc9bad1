using Vdi.Simulator.Tasks;
using Vdi.Simulator.Events;
using Vdi.Simulator.Inventory;

namespace Vdi.Simulator.Api;

/// <summary>Tags: list, create, rename, delete, attach to and detach from domains.</summary>
public static class TagApi
{
    public static RouteGroupBuilder MapTags(this RouteGroupBuilder api)
    {
        api.MapGet("/tags/", (HttpRequest r, TagBook tags) => Paging.Page(r, tags.All.Select(Represent)));
        api.MapGet("/tags/{id:guid}/", (Guid id, TagBook tags) => ResourceApi.One(tags.Get(id) is { } t ? [Represent(t)] : []));
        // asynchronous like the controller's other creations: 202 with a task whose first entity is the new tag
        api.MapPost("/tags/", async (HttpRequest request, TagBook tags, TaskBook tasks) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var name = body.String("verbose_name");
            if (string.IsNullOrWhiteSpace(name))
            {
                return EcpErrors.BadRequest("verbose_name is required.");
            }

            return tags.Create(name, body.String("colour") ?? "#808080") is { } tag
                ? EcpErrors.Accepted(tasks.Start("Create tag", new Dictionary<Guid, string> { [tag.Id] = "tag" }, TimeSpan.Zero, () => null), Represent(tag))
                : EcpErrors.BadRequest($"A tag named {name} already exists.");
        });
        api.MapPut("/tags/{id:guid}/", async (Guid id, HttpRequest request, TagBook tags) =>
        {
            var body = await JsonBody.ReadAsync(request);
            return tags.Update(id, body.String("verbose_name"), body.String("colour")) is { } tag
                ? Results.Json(Represent(tag), EventHub.Json)
                : EcpErrors.NotFound();
        });
        api.MapDelete("/tags/{id:guid}/", (Guid id, TagBook tags, SimInventory inv) =>
        {
            if (!tags.Remove(id))
            {
                return EcpErrors.NotFound();
            }

            foreach (var domain in inv.Query(d => d.Tags.Contains(id)))
            {
                inv.Update((Guid)domain["id"]!, d => d.Tags.Remove(id));
            }

            return Results.NoContent();
        });
        api.MapPost("/tags/{id:guid}/{op:regex(^(add|remove)-entity$)}/", async (Guid id, string op, HttpRequest request, TagBook tags, SimInventory inv) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var entities = body.Guids("entity_uuids");
            if (body.Guid("entity_uuid") is { } one)
            {
                entities.Add(one);
            }

            if (tags.Get(id) is null)
            {
                return EcpErrors.NotFound();
            }

            var missing = entities.Where(e => !inv.Update(e, d =>
            {
                if (op == "add-entity")
                {
                    d.Tags.Add(id);
                }
                else
                {
                    d.Tags.Remove(id);
                }
            })).ToList();
            return missing.Count == 0 ? Results.Json(new { ok = true }, EventHub.Json) : EcpErrors.BadRequest($"Unknown domains: {string.Join(", ", missing)}.");
        });
        return api;
    }

    private static Dictionary<string, object?> Represent(TagBook.Tag t) =>
        Paging.Fields(("id", t.Id), ("verbose_name", t.VerboseName), ("colour", t.Colour));
}
