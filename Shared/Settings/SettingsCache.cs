using Vdi.Grains.Interfaces.Settings;

namespace Vdi.Shared.Settings;

/// <summary>
/// The settings as this process last read them, at most a few seconds old, so hot paths (every session's deadline
/// check, every login) do not all call the one settings grain.
/// </summary>
public sealed class SettingsCache(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private (BrokerSettings Settings, DateTimeOffset At)? _last;

    public async Task<BrokerSettings> GetAsync()
    {
        if (_last is { } last && time.GetUtcNow() - last.At < MaxAge)
        {
            return last.Settings;
        }

        var settings = await grains.GetGrain<ISettingsGrain>(0).GetAsync();
        _last = (settings, time.GetUtcNow());
        return settings;
    }

    /// <summary>Forgets the cached value (after this process changed the settings).</summary>
    public void Invalidate() => _last = null;
}
