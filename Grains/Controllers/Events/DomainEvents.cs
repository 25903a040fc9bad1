using System.Text.Json;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Controllers.Events;

/// <summary>Turns a controller's <c>/domains/</c> message into a change of the VM grain it is about.</summary>
public static class DomainEvents
{
    public static Task DispatchAsync(IGrainFactory grains, Guid controllerId, JsonElement message)
    {
        if (!message.TryGetProperty("id", out var idElement) || !Guid.TryParse(idElement.GetString(), out var id))
        {
            return Task.CompletedTask;
        }

        var @event = message.TryGetProperty("event", out var e) ? e.GetString() ?? "" : "";
        var obj = message.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        string? name = obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("verbose_name", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()
            : null;
        PowerState? power = obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty("user_power_state", out var p) && p.TryGetInt32(out var ps)
            && Enum.IsDefined((PowerState)ps)
            ? (PowerState)ps
            : null;
        return grains.GetGrain<IVmGrain>(id).ApplyDomainChangeAsync(new DomainChange(controllerId, @event, name, power, null));
    }
}
