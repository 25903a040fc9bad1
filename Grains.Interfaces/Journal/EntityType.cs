namespace Vdi.Grains.Interfaces.Journal;

/// <summary>What a journal event is about (the original's EntityType).</summary>
[GenerateSerializer, Alias("EntityType")]
public enum EntityType
{
    Controller = 0,
    Security = 1,
    Pool = 2,
    System = 3,
    Vm = 4,
    User = 5,
    Group = 6,
    Auth = 7,
}
