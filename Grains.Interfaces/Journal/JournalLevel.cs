namespace Vdi.Grains.Interfaces.Journal;

/// <summary>Journal event levels with the original's stored values.</summary>
[GenerateSerializer, Alias("JournalLevel")]
public enum JournalLevel
{
    Info = 0,
    Warning = 1,
    Error = 2,
    Debug = 3,
}
