using System.Text.Json;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.WebGateway.ThinClients;

/// <summary>
/// A thin client's WebSocket message (§8.2), parsed once into a typed <see cref="ClientEvent"/>: <c>event</c> names
/// its type (an unknown name is <see cref="ClientEventType.Unknown"/>), <c>vm_id</c> the VM, and the rest what the
/// type carries (protocol, error text, network statistics; VeiL Connect sends <c>total</c> for the read speed).
/// </summary>
public static class ClientMessages
{
    /// <summary>Null when the text is not a JSON object with a string <c>event</c>.</summary>
    public static ClientEvent? Parse(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var e = doc.RootElement;
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("event", out var ev) || ev.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var type = WireNames.TryParseWire<ClientEventType>(ev.GetString(), out var t) ? t : ClientEventType.Unknown;
            Guid? vm = e.TryGetProperty("vm_id", out var v) && Guid.TryParse(v.ToString(), out var g) ? g : null;
            return new ClientEvent(type, vm,
                Str(e, "connection_type"), e.TryGetProperty("is_connection_secure", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : null,
                Str(e, "conn_error_str"), Long(e, "read_speed") ?? Long(e, "total"), Long(e, "write_speed"), Double(e, "avg_rtt"), Double(e, "loss_percentage"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The start of a message, for a control error that quotes it.</summary>
    public static string Cut(string s) => s.Length > 100 ? s[..100] : s;

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static double? Double(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? d : null;
}
