namespace Vdi.Grains.Interfaces.Pools;

[GenerateSerializer, Alias("PoolErrorKind")]
public enum PoolErrorKind
{
    Invalid = 0,
    Conflict = 1,
    NotFound = 2,
    WrongStatus = 3,
    Busy = 4,
    ControllerUnavailable = 5,
}
