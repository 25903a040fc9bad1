using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Journal;

namespace Vdi.Grains.Settings;

[GenerateSerializer, Alias("SettingsState")]
public sealed class SettingsState
{
    /// <summary>Null until an administrator first changes the settings.</summary>
    [Id(0)] public BrokerSettings? Settings { get; set; }
}
