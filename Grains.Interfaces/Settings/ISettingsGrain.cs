namespace Vdi.Grains.Interfaces.Settings;

/// <summary>The broker's run-time settings, one grain for the cluster (key 0).</summary>
[Alias("ISettingsGrain")]
public interface ISettingsGrain : IGrainWithIntegerKey
{
    [Alias("GetAsync"), Orleans.Concurrency.ReadOnly]
    Task<BrokerSettings> GetAsync();

    /// <summary>Validates (a bad value is a <see cref="Errors.BrokerException"/> naming the field), stores and journals the change.</summary>
    [Alias("UpdateAsync")]
    Task<BrokerSettings> UpdateAsync(BrokerSettingsChanges changes, string by);
}
