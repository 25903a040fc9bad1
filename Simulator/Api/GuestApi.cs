using Vdi.Simulator.Tasks;
using System.Text.Json;
using Vdi.Simulator.Events;
using Vdi.Simulator.Inventory;

namespace Vdi.Simulator.Api;

/// <summary>Preparation, remote access, hostname, guest-agent commands, SPICE and USB.</summary>
public static class GuestApi
{
    public static RouteGroupBuilder MapGuest(this RouteGroupBuilder api)
    {
        api.MapPost("/domains/{id:guid}/vdi-prepare/", async (Guid id, HttpRequest request, DomainOperations ops) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var ad = body.Object("set_ad");
            (string, string, string?, string)? join = null;
            if (ad.ValueKind == JsonValueKind.Object)
            {
                if (string.IsNullOrWhiteSpace(ad.String("domainname")) || string.IsNullOrWhiteSpace(ad.String("login")) || string.IsNullOrEmpty(ad.String("password")))
                {
                    return EcpErrors.BadRequest("set_ad needs domainname, login and password.");
                }

                join = (ad.String("domainname")!, ad.String("login")!, ad.String("oupath"),
                    Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ad.String("password")!))).ToLowerInvariant());
            }

            return EcpErrors.Accepted(ops.Prepare(id, body.Bool("remote_access"), body.Bool("start_on"), body.Bool("set_hostname"), join));
        });
        api.MapPost("/domains/{id:guid}/remote-access/", async (Guid id, HttpRequest request, DomainOperations ops) =>
            EcpErrors.Accepted(ops.RemoteAccess(id, (await JsonBody.ReadAsync(request)).Bool("remote_access", true))));
        api.MapPost("/domains/{id:guid}/set-hostname/", async (Guid id, HttpRequest request, SimInventory inv, DomainOperations ops) =>
        {
            var hostname = (await JsonBody.ReadAsync(request)).String("hostname") ?? inv.Read(id, d => d.VerboseName);
            return hostname is null ? EcpErrors.NotFound() : EcpErrors.Accepted(ops.SetHostname(id, hostname));
        });
        api.MapPost("/domains/{id:guid}/guest-command/", GuestCommand);
        // the guest utilities' ISO into a new CD-ROM: only while the VM is off, as the controller requires
        api.MapPost("/domains/{id:guid}/attach-veil-utils-iso/", (Guid id, SimInventory inv, TaskBook tasks) =>
        {
            var power = inv.Read(id, d => (Exists: true, d.PowerState));
            if (!power.Exists)
            {
                return EcpErrors.NotFound();
            }

            return power.PowerState == PowerState.On
                ? EcpErrors.BadRequest("Cant create CD-ROM for powered domain.")
                : EcpErrors.Accepted(tasks.Start("Attach VeiL utils ISO", new Dictionary<Guid, string> { [id] = "domain" }, TimeSpan.Zero,
                    () => inv.Update(id, d => d.GuestUtilsIso = true) ? null : "Domain not found."));
        });
        api.MapPost("/domains/{id:guid}/convert-to-template/", (Guid id, SimInventory inv, TaskBook tasks) =>
        {
            var d = inv.Read(id, x => (Exists: true, x.PowerState, x.Thin));
            if (!d.Exists)
            {
                return EcpErrors.NotFound();
            }

            return d.PowerState == PowerState.On ? EcpErrors.BadRequest("The domain is powered on.")
                : d.Thin ? EcpErrors.BadRequest("A thin clone cannot be a template.")
                : EcpErrors.Accepted(tasks.Start("Convert to template", new Dictionary<Guid, string> { [id] = "domain" }, TimeSpan.Zero,
                    () => inv.Update(id, x => x.Template = true) ? null : "Domain not found."));
        });
        api.MapGet("/domains/{id:guid}/spice/", (Guid id, SimInventory inv) =>
        {
            var spice = inv.Read(id, d => (d.RemoteAccess, d.GraphicsPassword, Token: d.Id.ToString("N")));
            if (spice == default)
            {
                return EcpErrors.NotFound();
            }

            return spice.RemoteAccess
                ? Results.Json(new { spice_url = $"/spice-html5/spice_auto.html?host={inv.ControllerAddress}&password={spice.GraphicsPassword}&path=websockify?token={spice.Token}" }, EventHub.Json)
                : EcpErrors.BadRequest("Remote access is disabled for this domain.");
        });
        api.MapPost("/domains/{id:guid}/attach-usb/", async (Guid id, HttpRequest request, SimInventory inv) =>
        {
            var usb = (await JsonBody.ReadAsync(request)).Object("tcp_usb");
            var device = $"{usb.String("host")}:{usb.Int("service")}";
            return inv.Update(id, d => d.UsbDevices.Add(device)) ? Results.Json(new { usb = device }, EventHub.Json) : EcpErrors.NotFound();
        });
        api.MapPost("/domains/{id:guid}/detach-usb/", async (Guid id, HttpRequest request, SimInventory inv) =>
        {
            var body = await JsonBody.ReadAsync(request);
            var usb = body.String("usb");
            return inv.Update(id, d =>
            {
                if (body.Bool("remove_all") || usb is null)
                {
                    d.UsbDevices.Clear();
                }
                else
                {
                    d.UsbDevices.Remove(usb);
                }
            })
                ? Results.Json(new { ok = true }, EventHub.Json)
                : EcpErrors.NotFound();
        });
        return api;
    }

    /// <summary>Enough of qemu-guest-agent's guest-exec for the broker: setting the time zone, reading addresses.</summary>
    private static async Task<IResult> GuestCommand(Guid id, HttpRequest request, SimInventory inv)
    {
        var body = await JsonBody.ReadAsync(request);
        var state = inv.Read(id, d => (Exists: true, d.GuestAgentUp, d.Ipv4, Farms: d.PublishedApps.Select(f => (f.Farm, Apps: f.Apps.ToList())).ToList()));
        if (!state.Exists)
        {
            return EcpErrors.NotFound();
        }

        if (!state.GuestAgentUp)
        {
            return EcpErrors.BadRequest("Guest agent is not available.");
        }

        var fargs = body.Object("fargs");
        var path = fargs.String("path") ?? "";
        var args = fargs.ValueKind == JsonValueKind.Object && fargs.TryGetProperty("arg", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.ToString()).ToList()
            : [];
        if (path.Contains("wscript", StringComparison.OrdinalIgnoreCase) && args.Any(x => x.EndsWith("get_published_apps.ps1", StringComparison.OrdinalIgnoreCase)))
        {
            return PublishedApps(state.Farms);
        }

        var output = "";
        var zone = path switch
        {
            _ when path.Contains("timedatectl", StringComparison.OrdinalIgnoreCase) && args.Contains("set-timezone") => args.SkipWhile(x => x != "set-timezone").Skip(1).FirstOrDefault(),
            _ when path.Contains("tzutil", StringComparison.OrdinalIgnoreCase) && args.Contains("/s") => args.SkipWhile(x => x != "/s").Skip(1).FirstOrDefault()?.Trim('"'),
            _ => null,
        };
        if (zone is not null)
        {
            inv.Update(id, d => d.TimeZone = zone);
        }
        else if (path.Contains("ip", StringComparison.OrdinalIgnoreCase) || path.Contains("ipconfig", StringComparison.OrdinalIgnoreCase))
        {
            output = state.Ipv4;
        }

        return Exec(output, "");
    }

    /// <summary>What the guest utilities' RDS script prints: the host's farms, or PowerShell's error on a VM without the RDS role.</summary>
    private static IResult PublishedApps(List<(string Farm, List<string> Apps)> farms)
    {
        if (farms.Count == 0)
        {
            return Exec("", "Get-RDRemoteApp : The term 'Get-RDRemoteApp' is not recognized as the name of a cmdlet.\r\n");
        }

        var farmlist = farms.Select(f => new
        {
            farm_alias = f.Farm,
            app_array = f.Apps.Select(a => new { app_name = a, app_alias = a.ToLowerInvariant(), icon = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(a)) }),
        });
        return Exec(JsonSerializer.Serialize(new { farmlist }), "");
    }

    private static IResult Exec(string output, string error) =>
        Results.Json(new Dictionary<string, object> { ["guest-exec"] = new Dictionary<string, object>
        {
            ["exitcode"] = error.Length == 0 ? 0 : 1,
            ["out-data"] = output,
            ["err-data"] = error,
        } });
}
