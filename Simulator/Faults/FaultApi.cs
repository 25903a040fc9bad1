using Vdi.Simulator.Api;
using Vdi.Simulator.Events;
using Vdi.Simulator.Inventory;

namespace Vdi.Simulator.Faults;

/// <summary>
/// The simulator's own control endpoints (not part of ECP): inject faults, drop event streams, and change a VM
/// "from inside" the way a user shutting Windows down would.
/// </summary>
public static class FaultApi
{
    public static IEndpointRouteBuilder MapSimulatorControl(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/sim");
        sim.MapGet("/faults", (FaultState faults) => TypedResults.Ok(faults));
        sim.MapPut("/faults", (FaultState faults, [Microsoft.AspNetCore.Mvc.FromBody] FaultState update, EventHub hub) =>
        {
            faults.Down = update.Down;
            faults.LatencyMs = Math.Max(0, update.LatencyMs);
            faults.Unauthorized = update.Unauthorized;
            faults.FailPaths = update.FailPaths ?? [];
            faults.FailCloneAfter = update.FailCloneAfter;
            if (faults.Down || faults.Unauthorized)
            {
                hub.DropAll();
            }

            return TypedResults.Ok(faults);
        });
        sim.MapPost("/ws/drop", (EventHub hub) =>
        {
            hub.DropAll();
            return TypedResults.NoContent();
        });
        // forgets a domain without an event, as a controller restored from an old backup (or restarted without its
        // state) would: the broker learns of it only when it asks for the domain
        sim.MapDelete("/domains/{id:guid}", (Guid id, SimInventory inventory) =>
            inventory.Forget(id) ? Results.NoContent() : Results.NotFound());
        // what an operator does in the controller's own UI: rename a VM (the broker follows through the event stream)
        sim.MapPost("/domains/{id:guid}/rename", async (Guid id, HttpRequest request, SimInventory inventory) =>
        {
            var name = (await JsonBody.ReadAsync(request)).String("verbose_name");
            return string.IsNullOrWhiteSpace(name) ? Results.BadRequest(new { error = "verbose_name is required" })
                : inventory.Update(id, d => d.VerboseName = name) ? Results.NoContent() : Results.NotFound();
        });
        sim.MapPost("/domains/{id:guid}/power/{state}", (Guid id, string state, SimInventory inventory) =>
        {
            if (!Enum.TryParse<PowerState>(state, ignoreCase: true, out var power))
            {
                return Results.BadRequest(new { error = "state must be on, off or suspended" });
            }

            return inventory.Update(id, d =>
            {
                d.PowerState = power;
                d.GuestAgentUp = power == PowerState.On;
            })
                ? Results.NoContent()
                : Results.NotFound();
        });
        // the domain as the ECP API shows it, and what only its guest knows (for tests): the time zone set through its agent
        sim.MapGet("/domains/{id:guid}", (Guid id, SimInventory inventory) =>
        {
            if (inventory.Find(id) is not { } d)
            {
                return Results.NotFound();
            }

            d["sim_guest_time_zone"] = inventory.Read(id, x => x.TimeZone);
            d["sim_guest_utils_iso"] = inventory.Read(id, x => x.GuestUtilsIso);
            d["sim_ad"] = inventory.Read(id, x => x.AdJoin is { } j ? new { domainname = j.Domain, login = j.Login, oupath = j.OuPath, password_sha256 = j.PasswordSha256 } : null);
            return Results.Json(d, EventHub.Json);
        });
        return app;
    }
}
