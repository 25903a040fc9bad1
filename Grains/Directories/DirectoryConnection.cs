namespace Vdi.Grains.Directories;

/// <summary>The kinds of directory the original knows (its ALD is not carried over).</summary>
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
public enum DirectorySecurity
{
    None = 0,
    Ldaps = 1,
    StartTls = 2,
}

/// <summary>
/// Where and how to reach a directory: servers in failover order (<c>host</c> or <c>host:port</c>), the base DN the
/// users are under, the service account that searches (its password in clear only in memory), and how the server's
/// certificate is checked: against the system's trust, or against the CA certificates of
/// <see cref="CaDirectory"/> (a folder of PEM files named by their OpenSSL hash, <c>openssl rehash</c>), a private CA.
/// </summary>
public sealed record DirectoryConnection(
    DirectoryKind Kind,
    IReadOnlyList<string> Servers,
    DirectorySecurity Security,
    string BaseDn,
    string ServiceDn,
    string ServicePassword,
    string? CaDirectory = null,
    bool ValidateCertificate = true,
    TimeSpan? Timeout = null)
{
    /// <summary>The original waits 55 s; a login should not: a server that does not answer in this long is skipped.</summary>
    public TimeSpan CallTimeout => Timeout ?? TimeSpan.FromSeconds(10);
}
