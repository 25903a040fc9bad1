using Vdi.Grains.Interfaces.Directories;

namespace Vdi.Grains.Directories;

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
    TimeSpan? Timeout = null)
{
    /// <summary>The original waits 55 s; a login should not: a server that does not answer in this long is skipped.</summary>
    public TimeSpan CallTimeout => Timeout ?? TimeSpan.FromSeconds(10);
}
