using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Journal;

namespace Vdi.Grains.Settings;

[GrainType("settings")]
public sealed class SettingsGrain(
    [PersistentState("settings", StorageNames.Main)] IPersistentState<SettingsState> state,
    JournalWriter journal,
    Microsoft.Extensions.Options.IOptions<ThinClients.ThinClientOptions> thinClients) : Grain, ISettingsGrain
{
    /// <summary>Until an administrator changes them, the settings are what the silo's configuration says.</summary>
    private BrokerSettings Current => state.State.Settings
        ?? new BrokerSettings(thinClients.Value.DisconnectInactiveConnections, (int)thinClients.Value.AfkTimeout.TotalSeconds,
            thinClients.Value.Limit, PasswordSecurityLevel.Low);

    public Task<BrokerSettings> GetAsync() => Task.FromResult(Current);

    public async Task<BrokerSettings> UpdateAsync(BrokerSettingsChanges changes, string by)
    {
        var s = Current;
        var next = s with
        {
            DisconnectInactiveConnections = changes.DisconnectInactiveConnections ?? s.DisconnectInactiveConnections,
            AfkTimeoutSeconds = changes.AfkTimeoutSeconds ?? s.AfkTimeoutSeconds,
            ThinClientLimit = changes.ThinClientLimit ?? s.ThinClientLimit,
            PasswordSecurityLevel = changes.PasswordSecurityLevel ?? s.PasswordSecurityLevel,
            PasswordExpirationDays = changes.PasswordExpirationDays ?? s.PasswordExpirationDays,
            PasswordHistory = changes.PasswordHistory ?? s.PasswordHistory,
            ResourceCacheSeconds = changes.ResourceCacheSeconds ?? s.ResourceCacheSeconds,
        };
        if (next.AfkTimeoutSeconds is < 60 or > 86_400)
        {
            throw BrokerException.Invalid("afk_timeout", "afk_timeout: 60 to 86400 seconds");
        }

        if (next.ThinClientLimit is < 0 or > 100_000)
        {
            throw BrokerException.Invalid("thin_client_limit", "thin_client_limit: 0 (no limit) to 100000");
        }

        if (!Enum.IsDefined(next.PasswordSecurityLevel))
        {
            throw BrokerException.Invalid("password_security_level", "password_security_level: LOW, MIDDLE or HIGH");
        }

        if (next.PasswordExpirationDays is < 0 or > 3650)
        {
            throw BrokerException.Invalid("password_expiration_period", "password_expiration_period: 0 (never) to 3650 days");
        }

        if (next.PasswordHistory is < 0 or > Users.UserGrain.HistoryKept)
        {
            throw BrokerException.Invalid("password_history", $"password_history: 0 to {Users.UserGrain.HistoryKept} earlier passwords");
        }

        if (next.ResourceCacheSeconds is < 0 or > BrokerSettings.MaxResourceCacheSeconds)
        {
            throw BrokerException.Invalid("resource_cache_ttl", $"resource_cache_ttl: 0 (no cache) to {BrokerSettings.MaxResourceCacheSeconds} seconds");
        }

        var audit = new ChangeLog()
            .Note("disconnect_inactive_connections", s.DisconnectInactiveConnections, next.DisconnectInactiveConnections)
            .Note("afk_timeout", s.AfkTimeoutSeconds, next.AfkTimeoutSeconds)
            .Note("thin_client_limit", s.ThinClientLimit, next.ThinClientLimit)
            .Note("password_security_level", s.PasswordSecurityLevel.ToString().ToUpperInvariant(), next.PasswordSecurityLevel.ToString().ToUpperInvariant())
            .Note("password_expiration_period", s.PasswordExpirationDays, next.PasswordExpirationDays)
            .Note("password_history", s.PasswordHistory, next.PasswordHistory)
            .Note("resource_cache_ttl", s.ResourceCacheSeconds, next.ResourceCacheSeconds);
        if (audit.IsEmpty)
        {
            return s;
        }

        state.State.Settings = next;
        await state.WriteOrForgetAsync(this);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, "Settings changed.", audit.ToString(), EntityType.System, null, by));
        return next;
    }
}
