using Vdi.Grains.Interfaces.Retention;

namespace Vdi.Grains.Retention;

[GenerateSerializer, Alias("RetentionState")]
public sealed class RetentionState
{
    /// <summary>Null until an administrator first changes them: <see cref="RetentionSettings.Default"/>.</summary>
    [Id(0)] public RetentionSettings? Settings { get; set; }

    [Id(1)] public RetentionRun? LastRun { get; set; }
}
