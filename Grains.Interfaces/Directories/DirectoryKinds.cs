namespace Vdi.Grains.Interfaces.Directories;

/// <summary>The kinds of directory the original knows (its ALD is not carried over).</summary>
[GenerateSerializer, Alias("DirectoryKind")]
public enum DirectoryKind
{
    /// <summary>Users by <c>sAMAccountName</c> or <c>userPrincipalName</c>, groups from <c>memberOf</c>.</summary>
    ActiveDirectory = 0,

    /// <summary>Users <c>uid=...,cn=users,cn=accounts,&lt;dc&gt;</c>.</summary>
    FreeIpa = 1,

    /// <summary>Users <c>uid=...,ou=people,&lt;dc&gt;</c> (or anywhere under the base, found by <c>uid</c>).</summary>
    OpenLdap = 2,
}

/// <summary>How the connection is secured: LDAPS (its own port), StartTLS on the LDAP port, or none.</summary>
[GenerateSerializer, Alias("DirectorySecurity")]
public enum DirectorySecurity
{
    None = 0,
    Ldaps = 1,
    StartTls = 2,
}

/// <summary>What a directory check or login came to; the reason names what failed, for the administrator.</summary>
[GenerateSerializer, Alias("DirectoryOutcome")]
public enum DirectoryOutcome
{
    Ok = 0,

    /// <summary>No server of the list answered on its port.</summary>
    Unreachable = 1,

    /// <summary>The server answered but the TLS handshake failed (an untrusted or wrong certificate, no TLS there).</summary>
    Tls = 2,

    /// <summary>The service account's DN or password was refused.</summary>
    BadServiceCredentials = 3,

    /// <summary>The base DN does not exist on the server.</summary>
    BaseDnNotFound = 4,

    /// <summary>The user's password was refused, or no such user under the base DN (one answer).</summary>
    WrongCredentials = 5,

    /// <summary>The password was right but the directory says the account is disabled, locked or expired.</summary>
    Disabled = 6,

    /// <summary>The password was right but has expired in the directory (or must be changed at next logon).</summary>
    PasswordExpired = 7,

    /// <summary>A group to synchronize was not found under the base DN.</summary>
    GroupNotFound = 8,

    /// <summary>The directory refused a change the service account asked for (no right to delete a computer object).</summary>
    Refused = 9,
}

