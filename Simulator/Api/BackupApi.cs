using Vdi.Simulator.Events;
using Vdi.Simulator.Inventory;
using Vdi.Simulator.Tasks;

namespace Vdi.Simulator.Api;

/// <summary>
/// A VM's backups, as far as the broker uses them: make one (not of a thin clone: error 50010, as the controller
/// answers), list them, and restore one as a new VM next to the original (automated-restore; its entity is the new VM).
/// </summary>
public static class BackupApi
{
    public static RouteGroupBuilder MapBackups(this RouteGroupBuilder api)
    {
        api.MapPost("/domains/{id:guid}/backup/", (Guid id, SimInventory inv, TaskBook tasks, TimeProvider time) =>
        {
            var d = inv.Read(id, x => (Exists: true, x.Thin, x.VerboseName));
            if (!d.Exists)
            {
                return EcpErrors.NotFound();
            }

            if (d.Thin)
            {
                return EcpErrors.Error(StatusCodes.Status400BadRequest, "Forbid create backup from a thin clone.", "50010");
            }

            return EcpErrors.Accepted(tasks.Start("Backup domain", new Dictionary<Guid, string> { [id] = "domain" }, TimeSpan.Zero, () =>
                inv.Update(id, x => x.Backups.Add((Guid.NewGuid(), $"{x.VerboseName}_{time.GetUtcNow():yyyyMMdd_HHmmss}_{x.Backups.Count + 1}.ova", time.GetUtcNow())))
                    ? null
                    : "Domain not found."));
        });
        api.MapGet("/domains/{id:guid}/show-backup/", (Guid id, HttpRequest request, SimInventory inv) =>
        {
            var files = inv.Read(id, x => x.Backups.ToList());
            return files is null
                ? EcpErrors.NotFound()
                : Paging.Page(request, files.Select(f => Paging.Fields(("id", f.Id), ("filename", f.File), ("created", f.Created))));
        });
        api.MapPost("/domains/{id:guid}/automated-restore/", async (Guid id, HttpRequest request, SimInventory inv, TaskBook tasks) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var file = body.Guid("file_id");
            var source = inv.Read(id, x => (Exists: true, x.VerboseName, Has: file is { } f && x.Backups.Any(b => b.Id == f)));
            if (!source.Exists)
            {
                return EcpErrors.NotFound();
            }

            if (!source.Has)
            {
                return EcpErrors.BadRequest("No such backup file.");
            }

            var restored = Guid.NewGuid();
            var task = tasks.Start("Automated restore", new Dictionary<Guid, string> { [restored] = "domain" }, TimeSpan.Zero,
                () => inv.Clone(id, restored, $"{source.VerboseName}-restored", thin: false, resourcePool: null, numbered: false) ? null : "The restore failed.");
            return EcpErrors.Accepted(task, restored);
        });
        return api;
    }
}
