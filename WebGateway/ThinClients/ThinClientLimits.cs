using Vdi.Grains.Interfaces.Settings;
using Vdi.WebGateway.Hosting;

namespace Vdi.WebGateway.ThinClients;

/// <summary>The thin-client limit in force: the administrator's setting, or the gateway's configuration when that is 0.</summary>
public static class ThinClientLimits
{
    public static async Task<int> CurrentAsync(SettingsCache settings, BrokerOptions options) =>
        (await settings.GetAsync()).ThinClientLimit is > 0 and var limit ? limit : options.ThinClientLimit;
}
