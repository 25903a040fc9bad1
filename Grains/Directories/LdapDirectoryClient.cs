using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Sockets;

using Vdi.Grains.Interfaces.Directories;

namespace Vdi.Grains.Directories;

/// <summary>A directory user found and authenticated: what the broker keeps of it.</summary>
public sealed record DirectoryUser(string Dn, string Account, string FirstName, string LastName, string Email, IReadOnlyList<string> Groups);

public sealed record DirectoryResult(DirectoryOutcome Outcome, string Detail, DirectoryUser? User = null)
{
    public bool Ok => Outcome == DirectoryOutcome.Ok;
}

/// <summary>
/// LDAP calls to a directory (System.DirectoryServices.Protocols over the system's libldap): the service account
/// finds the user (values escaped, RFC 4515), the user's own bind checks the password (the directory does the
/// hashing), servers are tried in order. Synchronous library calls run on the thread pool, each bounded by the
/// connection's timeout.
/// </summary>
public sealed class LdapDirectoryClient
{
    private static readonly string[] UserAttributes = ["uid", "sAMAccountName", "userPrincipalName", "givenName", "sn", "mail", "memberOf", "userAccountControl", "nsAccountLock"];

    /// <summary>Checks the connection as the administrator's "test connection" does, saying exactly what failed.</summary>
    public Task<DirectoryResult> TestAsync(DirectoryConnection directory, CancellationToken cancellation = default) =>
        WithServiceAsync(directory, (connection, _) =>
        {
            try
            {
                connection.SendRequest(new SearchRequest(directory.BaseDn, "(objectClass=*)", SearchScope.Base, "1.1"), directory.CallTimeout);
                return new DirectoryResult(DirectoryOutcome.Ok, $"connected; {directory.BaseDn} found");
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
            {
                return new DirectoryResult(DirectoryOutcome.BaseDnNotFound, $"the base DN {directory.BaseDn} does not exist on the server");
            }
        }, cancellation);

    /// <summary>Finds the user by what was typed (<c>user</c>, <c>DOMAIN\user</c>, <c>user@domain</c>) and binds as it with the password.</summary>
    public Task<DirectoryResult> AuthenticateAsync(DirectoryConnection directory, string typed, string password, CancellationToken cancellation = default)
    {
        var (account, _) = LdapFilter.Split(typed);
        if (account.Length == 0 || string.IsNullOrEmpty(password))
        {
            // an LDAP bind with an empty password is an anonymous bind, which "succeeds": never let one through
            return Task.FromResult(new DirectoryResult(DirectoryOutcome.WrongCredentials, "empty username or password"));
        }

        return WithServiceAsync(directory, (connection, server) =>
        {
            var entry = FindUser(connection, directory, account, typed);
            if (entry is null)
            {
                return new DirectoryResult(DirectoryOutcome.WrongCredentials, $"no user {account} under {directory.BaseDn}");
            }

            if (IsDisabled(entry))
            {
                return new DirectoryResult(DirectoryOutcome.Disabled, $"the directory account {entry.DistinguishedName} is disabled");
            }

            using var own = Open(directory, server, new NetworkCredential(entry.DistinguishedName, password));
            try
            {
                own.Bind();
            }
            catch (LdapException e) when (e.ErrorCode == 49)
            {
                return new DirectoryResult(DirectoryOutcome.WrongCredentials, $"the directory refused the password of {entry.DistinguishedName}");
            }

            return new DirectoryResult(DirectoryOutcome.Ok, entry.DistinguishedName, ToUser(connection, directory, entry, account));
        }, cancellation);
    }

    private static SearchResultEntry? FindUser(LdapConnection connection, DirectoryConnection directory, string account, string typed)
    {
        var filter = directory.Kind == DirectoryKind.ActiveDirectory
            ? $"(&(objectClass=user)(|(sAMAccountName={LdapFilter.Escape(account)})(userPrincipalName={LdapFilter.Escape(typed.Trim())})))"
            : $"(&(objectClass=person)(uid={LdapFilter.Escape(account)}))";
        var response = (SearchResponse)connection.SendRequest(new SearchRequest(directory.BaseDn, filter, SearchScope.Subtree, UserAttributes), directory.CallTimeout);
        return response.Entries.Count == 1 ? response.Entries[0] : null; // none, or ambiguous: nobody
    }

    private static bool IsDisabled(SearchResultEntry entry) =>
        (Attribute(entry, "userAccountControl") is { } control && int.TryParse(control, out var flags) && (flags & 0x2) != 0)
        || string.Equals(Attribute(entry, "nsAccountLock"), "TRUE", StringComparison.OrdinalIgnoreCase);

    private static DirectoryUser ToUser(LdapConnection connection, DirectoryConnection directory, SearchResultEntry entry, string account)
    {
        var groups = new List<string>();
        if (entry.Attributes["memberOf"] is { } memberOf)
        {
            groups.AddRange(memberOf.GetValues(typeof(string)).Cast<string>().Select(CommonName));
        }
        else
        {
            var filter = $"(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member={LdapFilter.Escape(entry.DistinguishedName)})(uniqueMember={LdapFilter.Escape(entry.DistinguishedName)})))";
            var response = (SearchResponse)connection.SendRequest(new SearchRequest(directory.BaseDn, filter, SearchScope.Subtree, "cn"), directory.CallTimeout);
            groups.AddRange(response.Entries.Cast<SearchResultEntry>().Select(g => Attribute(g, "cn") ?? CommonName(g.DistinguishedName)));
        }

        var name = Attribute(entry, "sAMAccountName") ?? Attribute(entry, "uid") ?? account;
        return new DirectoryUser(entry.DistinguishedName, name, Attribute(entry, "givenName") ?? "", Attribute(entry, "sn") ?? "", Attribute(entry, "mail") ?? "",
            [.. groups.Distinct(StringComparer.OrdinalIgnoreCase)]);
    }

    private static string CommonName(string dn)
    {
        var first = dn.Split(',', 2)[0];
        return first.StartsWith("cn=", StringComparison.OrdinalIgnoreCase) ? first[3..] : first;
    }

    private static string? Attribute(SearchResultEntry entry, string name) =>
        entry.Attributes[name] is { Count: > 0 } values ? values[0] as string ?? values.GetValues(typeof(string))[0] as string : null;

    /// <summary>Binds as the service account on the first server that answers, then runs <paramref name="work"/> there.</summary>
    private static Task<DirectoryResult> WithServiceAsync(DirectoryConnection directory, Func<LdapConnection, string, DirectoryResult> work, CancellationToken cancellation) =>
        Task.Run(() =>
        {
            if (directory.Security != DirectorySecurity.None && directory.CaDirectory is { Length: > 0 } ca && !System.IO.Directory.Exists(ca))
            {
                return new DirectoryResult(DirectoryOutcome.Tls, $"the trusted CA folder {ca} does not exist");
            }

            var tried = new List<string>();
            foreach (var server in directory.Servers)
            {
                cancellation.ThrowIfCancellationRequested();
                if (!Reachable(server, directory))
                {
                    tried.Add($"{server}: no answer");
                    continue;
                }

                LdapConnection? opened = null;
                try
                {
                    opened = Open(directory, server, new NetworkCredential(directory.ServiceDn, directory.ServicePassword));
                    opened.Bind();
                }
                catch (LdapException e) when (e.ErrorCode == 49)
                {
                    opened?.Dispose();
                    return new DirectoryResult(DirectoryOutcome.BadServiceCredentials, $"{server}: the directory refused the service account {directory.ServiceDn}");
                }
                catch (LdapException e) when (directory.Security != DirectorySecurity.None)
                {
                    opened?.Dispose();
                    // the port answers TCP, so a failure here is the TLS handshake (or no TLS on that port)
                    return new DirectoryResult(DirectoryOutcome.Tls, $"{server}: the TLS handshake failed ({e.Message}); check the server's certificate and the trusted CA");
                }
                catch (LdapException e)
                {
                    opened?.Dispose();
                    tried.Add($"{server}: {e.Message}");
                    continue;
                }

                using var connection = opened;
                return work(connection, server);
            }

            return new DirectoryResult(DirectoryOutcome.Unreachable, $"the directory is unreachable ({string.Join("; ", tried)})");
        }, cancellation);

    private static LdapConnection Open(DirectoryConnection directory, string server, NetworkCredential credential)
    {
        var (host, port) = Endpoint(server, directory);
        var connection = new LdapConnection(new LdapDirectoryIdentifier(host, port, fullyQualifiedDnsHostName: false, connectionless: false))
        {
            Timeout = directory.CallTimeout,
            AuthType = AuthType.Anonymous,
        };
        try
        {
            var options = connection.SessionOptions;
            options.ProtocolVersion = 3;
            options.ReferralChasing = ReferralChasingOptions.None;
            if (directory.Security != DirectorySecurity.None && directory.CaDirectory is { Length: > 0 } ca && !OperatingSystem.IsWindows())
            {
                // a private CA: libldap's own trust for this connection (the broker runs on Linux; Windows uses its store)
                options.TrustedCertificatesDirectory = ca;
                options.StartNewTlsSessionContext();
            }

            if (directory.Security == DirectorySecurity.Ldaps)
            {
                options.SecureSocketLayer = true;
            }
            else if (directory.Security == DirectorySecurity.StartTls)
            {
                // the connection is opened with an anonymous read of the root DSE, and TLS started on it before any
                // credential is sent
                connection.SendRequest(new SearchRequest("", "(objectClass=*)", SearchScope.Base, "1.1"), directory.CallTimeout);
                options.StartTransportLayerSecurity(null);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        connection.AuthType = AuthType.Basic;
        connection.Credential = credential;
        return connection;
    }

    private static (string Host, int Port) Endpoint(string server, DirectoryConnection directory)
    {
        var text = server.Trim();
        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text[(colon + 1)..], out var port))
        {
            return (text[..colon], port);
        }

        return (text, directory.Security == DirectorySecurity.Ldaps ? 636 : 389);
    }

    private static bool Reachable(string server, DirectoryConnection directory)
    {
        var (host, port) = Endpoint(server, directory);
        try
        {
            using var tcp = new TcpClient();
            return tcp.ConnectAsync(host, port).Wait(directory.CallTimeout) && tcp.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }
}
