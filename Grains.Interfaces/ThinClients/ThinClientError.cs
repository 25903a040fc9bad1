namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>The original's thin-client error codes (§8.1), answered with HTTP 200 in <c>{"errors":[{"message","code"}]}</c>.</summary>
[GenerateSerializer, Alias("ThinClientError")]
public enum ThinClientError
{
    /// <summary>001 "Thin client limit exceeded."</summary>
    ThinClientLimit = 1,

    /// <summary>002 "The pool doesn`t have free machines. Try again after 5 minutes." (more are coming)</summary>
    NoFreeVmYet = 2,

    /// <summary>003 "The pool doesn`t have free machines." (none are coming)</summary>
    NoFreeVm = 3,

    /// <summary>004 "VM is unreachable on ECP VeiL."</summary>
    VmUnreachable = 4,

    /// <summary>005 a timeout: the VM did not start, or the controller did not give its address.</summary>
    Timeout = 5,

    /// <summary>006 "The pool is busy. Try again in 1 minute."</summary>
    PoolBusy = 6,

    /// <summary>007 "Unknown connection type X."</summary>
    UnknownProtocol = 7,
}
