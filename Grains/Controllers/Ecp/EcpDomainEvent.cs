using System.Text.Json;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>A controller's <c>/domains/</c> event message: which domain, what happened, and what its object says.</summary>
public sealed record EcpDomainEvent(Guid Id, string Event, string? VerboseName, Interfaces.Vms.PowerState? PowerState)
{
    /// <summary>Null for a message that names no domain.</summary>
    public static EcpDomainEvent? Parse(JsonElement message)
    {
        if (EcpDomain.GuidOf(message, "id") is not { } id)
        {
            return null;
        }

        var obj = message.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        return new EcpDomainEvent(id, EcpDomain.String(message, "event") ?? "", EcpDomain.String(obj, "verbose_name"), EcpDomain.PowerOf(obj));
    }
}
