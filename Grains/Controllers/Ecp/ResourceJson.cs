using System.Text.Json;
using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>Maps ECP list items to the admin's resource rows (a VM's power state typed, for the broker's own use).</summary>
public static class ResourceJson
{
    private static readonly string[] DetailFields =
        ["management_ip", "cluster", "os_type", "user_power_state", "type", "free_space", "used_space", "domains_on_count", "template", "node", "resource_pool"];

    public static ControllerResource ToResource(JsonElement item)
    {
        var id = item.TryGetProperty("id", out var i) && Guid.TryParse(i.GetString(), out var g) ? g : Guid.Empty;
        var name = item.TryGetProperty("verbose_name", out var n) ? n.GetString() ?? "" : "";
        var status = item.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";
        var details = new Dictionary<string, string>();
        foreach (var field in DetailFields)
        {
            if (item.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null)
            {
                details[field] = v.ValueKind == JsonValueKind.Object && v.TryGetProperty("id", out var nested) ? nested.ToString() : v.ToString();
            }
        }

        return new ControllerResource(id, name, status, details, EcpDomain.PowerOf(item));
    }
}
