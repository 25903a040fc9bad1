namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>Why a controller operation was refused.</summary>
[GenerateSerializer, Alias("ControllerErrorKind")]
public enum ControllerErrorKind
{
    /// <summary>A field is missing or malformed; the message names it.</summary>
    Invalid = 0,
    /// <summary>Another controller has this name or address.</summary>
    Conflict = 1,
    /// <summary>The controller rejected the integration token (401/403).</summary>
    BadAuth = 2,
    /// <summary>The controller did not answer, or answered with a server error.</summary>
    Unreachable = 3,
    /// <summary>The controller's version is older than the broker supports.</summary>
    UnsupportedVersion = 4,
    /// <summary>No controller has this id.</summary>
    NotFound = 5,
    /// <summary>The operation does not apply in the controller's current status.</summary>
    WrongStatus = 6,
}
