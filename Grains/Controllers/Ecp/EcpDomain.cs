using System.Text.Json;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>
/// A controller's domain (VM or template), parsed once where the ECP client reads it. Fields a partial answer
/// (<c>fields=...</c>) or an event leaves out take their defaults; <see cref="Raw"/> keeps the record as the
/// controller sent it, for the thin client's <c>get_vm_data</c>.
/// </summary>
public sealed record EcpDomain(
    Guid Id,
    string VerboseName,
    PowerState PowerState,
    string? Status,
    bool RemoteAccess,
    int RemoteAccessPort,
    int RealRemoteAccessPort,
    string? GraphicsPassword,
    Guid? NodeId,
    IReadOnlyList<string> GuestIpv4,
    string? GuestHostname,
    string? OsType,
    Guid? ParentId,
    bool IsTemplate,
    JsonElement Raw)
{
    /// <summary>The guest agent answers (<c>guest_utils.qemu_state</c>).</summary>
    public bool GuestAgentUp => Object(Raw, "guest_utils") is { } g && g.TryGetProperty("qemu_state", out var q) && q.ValueKind == JsonValueKind.True;

    /// <summary>The record as the controller sent it (written out only when asked: bulk reads never need it).</summary>
    public string Json => Raw.ValueKind == JsonValueKind.Undefined ? "{}" : Raw.GetRawText();

    /// <summary>The guest's first IPv4 address, once its agent reports one.</summary>
    public string? GuestAddress => GuestIpv4.Count > 0 ? GuestIpv4[0] : null;

    /// <summary>The controller has the domain and says it is not ACTIVE (e.g. being cloned or failed).</summary>
    public bool IsActive => Status is null or "ACTIVE";

    public static EcpDomain Parse(JsonElement e)
    {
        var guest = Object(e, "guest_utils");
        return new EcpDomain(
            GuidOf(e, "id") ?? Guid.Empty,
            String(e, "verbose_name") ?? "",
            PowerOf(e) ?? PowerState.Undefined,
            String(e, "status"),
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty("remote_access", out var ra) && ra.ValueKind == JsonValueKind.True,
            Int(e, "remote_access_port"),
            Int(e, "real_remote_access_port"),
            String(e, "graphics_password"),
            Reference(e, "node"),
            guest is { } g && g.TryGetProperty("ipv4", out var ips) && ips.ValueKind == JsonValueKind.Array
                ? [.. ips.EnumerateArray().Where(ip => ip.ValueKind == JsonValueKind.String).Select(ip => ip.GetString()!)]
                : [],
            guest is { } h ? String(h, "hostname") : null,
            String(e, "os_type"),
            Reference(e, "parent"),
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty("template", out var t) && t.ValueKind == JsonValueKind.True,
            e); // the client's answers are cloned documents: the element outlives the response
    }

    /// <summary><c>user_power_state</c> when present and known; null otherwise (an event that does not say).</summary>
    public static PowerState? PowerOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("user_power_state", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) && Enum.IsDefined((PowerState)n)
            ? (PowerState)n
            : null;

    internal static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    internal static Guid? GuidOf(JsonElement e, string name) => Guid.TryParse(String(e, name), out var g) ? g : null;

    private static int Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : 0;

    private static JsonElement? Object(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    /// <summary>A reference written as <c>{"id": ...}</c> or as a bare id.</summary>
    private static Guid? Reference(JsonElement e, string name) =>
        Object(e, name) is { } o ? GuidOf(o, "id") : GuidOf(e, name);
}
