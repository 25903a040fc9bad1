namespace Vdi.Grains.Controllers.Ecp;

/// <summary>How an ECP call failed; decides the controller's status (§7 of the reference).</summary>
public enum EcpErrorKind
{
    /// <summary>401/403: the integration key is wrong or expired (BAD_AUTH).</summary>
    Unauthorized,
    /// <summary>No answer: refused, reset, timed out, or the circuit is open (FAILED).</summary>
    Unreachable,
    /// <summary>5xx (FAILED for controller-level calls).</summary>
    ServerError,
    /// <summary>404 for the entity asked about.</summary>
    NotFound,
    /// <summary>4xx other than the above: the controller refused the request itself.</summary>
    Rejected,
    /// <summary>The answer was not what ECP answers.</summary>
    BadResponse,
}
