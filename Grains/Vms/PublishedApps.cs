using System.Text.Json;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;

namespace Vdi.Grains.Vms;

/// <summary>
/// The RDS host's published applications, read through its guest agent as the original does: the guest utilities'
/// <c>get_published_apps.ps1</c>, run by <c>wscript.exe</c> through their <c>vbs.vbs</c> wrapper, prints
/// <c>{"farmlist":[{"farm_alias","app_array":[{"app_name","app_alias","icon"}]}]}</c> for the user. What the script
/// prints is parsed here, once, into <see cref="RdsFarm"/>s with bounded sizes; anything else is a refusal that says why.
/// </summary>
public static class PublishedApps
{
    public const string AgentFolder = @"C:\Program Files\Qemu-ga\";
    public const int MaxFarms = 200;
    public const int MaxApps = 2_000;
    public const int MaxNameLength = 256;
    /// <summary>An application's icon (base64 of a small image); 1 MB is far above any real one.</summary>
    public const int MaxIconLength = 1 << 20;
    /// <summary>The script's command limit on the controller (the original's 55 s).</summary>
    public const int CommandTimeoutSeconds = 55;

    public static string Path => "wscript.exe";

    public static IReadOnlyList<string> Arguments(string userName) =>
        [AgentFolder + "vbs.vbs", AgentFolder + "get_published_apps.ps1", userName, "//B", "//NoLogo"];

    /// <summary>The farms the script reported; a <see cref="BrokerException"/> (VmUnreachable) naming the reason otherwise.</summary>
    public static IReadOnlyList<RdsFarm> Parse(GuestExecOutput output)
    {
        if (output.Error.Trim().Trim('\r', '\n') is { Length: > 0 } error)
        {
            throw Refusal(error.Length > 500 ? error[..500] : error);
        }

        try
        {
            using var doc = JsonDocument.Parse(output.Output);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("farmlist", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw Refusal("the script's answer has no farmlist");
            }

            var farms = new List<RdsFarm>();
            var apps = 0;
            foreach (var farm in list.EnumerateArray())
            {
                if (farms.Count == MaxFarms)
                {
                    throw Refusal($"more than {MaxFarms} farms");
                }

                var array = farm.ValueKind == JsonValueKind.Object && farm.TryGetProperty("app_array", out var a) && a.ValueKind == JsonValueKind.Array
                    ? a.EnumerateArray().ToList()
                    : [];
                apps += array.Count;
                if (apps > MaxApps)
                {
                    throw Refusal($"more than {MaxApps} applications");
                }

                farms.Add(new RdsFarm(Text(farm, "farm_alias", MaxNameLength),
                    [.. array.Select(app => new RdsApp(Text(app, "app_name", MaxNameLength), Text(app, "app_alias", MaxNameLength), Text(app, "icon", MaxIconLength)))]));
            }

            return farms;
        }
        catch (JsonException)
        {
            throw Refusal("Cant decode json");
        }
    }

    private static string Text(JsonElement e, string name, int limit)
    {
        var value = e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        return value.Length <= limit ? value : throw Refusal($"{name} is longer than {limit} characters");
    }

    /// <summary>The reason alone: the thin-client API puts it after "Unable to get list of published applications.", as the original did.</summary>
    private static BrokerException Refusal(string why) => new(ErrorKind.VmUnreachable, why);
}
