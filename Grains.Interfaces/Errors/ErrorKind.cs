namespace Vdi.Grains.Interfaces.Errors;

/// <summary>
/// Why the broker refused an operation: the one vocabulary every grain uses. The admin API turns each kind into one
/// HTTP status (<c>AdminErrors</c>), the thin-client API into the original's envelope and code (<c>Envelope</c>).
/// </summary>
[GenerateSerializer, Alias("ErrorKind")]
public enum ErrorKind
{
    /// <summary>A field is missing, malformed or out of range (400, naming the field).</summary>
    Invalid = 0,

    /// <summary>The entity does not exist (404).</summary>
    NotFound = 1,

    /// <summary>A name, address or id is already taken, or the entity already exists (409).</summary>
    Conflict = 2,

    /// <summary>The operation does not apply in the entity's current status (409).</summary>
    WrongStatus = 3,

    /// <summary>Another task is working on the entity: try again when it has finished (409).</summary>
    Busy = 4,

    /// <summary>The controller is not ACTIVE (FAILED, SERVICE, BAD_AUTH...), so nothing can be done on it now (409; thin client 004).</summary>
    ControllerUnavailable = 5,

    /// <summary>The controller did not answer, or answered with a server error (502; thin client 004).</summary>
    ControllerUnreachable = 6,

    /// <summary>The controller rejected the integration key (400 on <c>token</c>).</summary>
    TokenRejected = 7,

    /// <summary>The controller runs an ECP version older than the broker supports (422).</summary>
    UnsupportedVersion = 8,

    /// <summary>The controller could not do what was asked with the VM, or no longer has it (502; thin client 004).</summary>
    VmUnreachable = 9,

    /// <summary>The controller did not finish in time (504; thin client 005).</summary>
    Timeout = 10,

    /// <summary>A protocol the broker does not know (400; thin client 007).</summary>
    UnknownProtocol = 11,

    /// <summary>The controller no longer has the VM (now FAILED): only another VM will do (502; thin client 004).</summary>
    VmLost = 12,

    /// <summary>
    /// The broker's database (or a grain it needs) could not answer now: nothing was changed, try again in a few
    /// seconds (503 with Retry-After, on both APIs; never a 500 or a 401).
    /// </summary>
    DependencyUnavailable = 13,

    /// <summary>The caller's roles do not allow this change (403): a privilege only a superuser grants, one's own privileges.</summary>
    Forbidden = 14,

    /// <summary>
    /// The broker is at a capacity it sets itself (the password-hashing queue is full): refused at once rather than
    /// queued behind work nobody would wait for (503 with Retry-After, like <see cref="DependencyUnavailable"/>).
    /// </summary>
    Overloaded = 15,
}
