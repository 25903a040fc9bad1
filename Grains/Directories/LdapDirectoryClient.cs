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
public sealed class LdapDirectoryClient : IDisposable
{
    /// <summary>LDAP calls in flight at once per silo: the library blocks a thread per call, so more would starve the thread pool at 9:00.</summary>
    private const int MaxConcurrentCalls = 16;

    /// <summary>A pooled connection opened longer ago than this is closed rather than reused (servers drop idle ones: AD after 900 s).</summary>
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _gate = new(MaxConcurrentCalls);

    /// <summary>Idle connections by directory (servers, security, service account and a hash of its password) and use.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentBag<Pooled>> _idle = new();

    private sealed record Pooled(LdapConnection Connection, string Server, DateTime Since);

    private static readonly string[] UserAttributes = ["uid", "sAMAccountName", "userPrincipalName", "givenName", "sn", "mail", "memberOf", "userAccountControl", "nsAccountLock", "pwdAccountLockedTime"];

    /// <summary>LDAP_MATCHING_RULE_IN_CHAIN: Active Directory walks nested groups itself.</summary>
    private const string InChain = "1.2.840.113556.1.4.1941";

    /// <summary>Checks the connection as the administrator's "test connection" does, saying exactly what failed.</summary>
    public Task<DirectoryResult> TestAsync(DirectoryConnection directory, CancellationToken cancellation = default) =>
        WithServiceAsync(directory, pooled: false, (connection, _) =>
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
        var (account, _) = DirectoryNames.Split(typed);
        if (account.Length == 0 || string.IsNullOrEmpty(password) || typed.Any(char.IsControl))
        {
            // an LDAP bind with an empty password is an anonymous bind, which "succeeds": never let one through; a control
            // character (NUL...) is never part of a name (some servers cut the value at a NUL: escaped, it still matched)
            return Task.FromResult(new DirectoryResult(DirectoryOutcome.WrongCredentials, "empty username or password"));
        }

        return WithServiceAsync(directory, pooled: true, (connection, server) =>
        {
            var entry = FindUser(connection, directory, account, typed);
            if (entry is null)
            {
                return new DirectoryResult(DirectoryOutcome.WrongCredentials, $"no user {account} under {directory.BaseDn}");
            }

            try
            {
                UserBind(directory, server, new NetworkCredential(entry.DistinguishedName, password));
            }
            catch (LdapException e) when (e.ErrorCode == 49)
            {
                // Active Directory says why a right password was refused (data 533 disabled, 775 locked...); a wrong
                // password is 52e whatever the account's state, so this never tells a guesser more than "wrong"
                if (ActiveDirectoryRefusal(e.ServerErrorMessage) is { } why)
                {
                    return new DirectoryResult(why.Outcome, $"the directory account {entry.DistinguishedName} {why.Detail}");
                }

                return new DirectoryResult(DirectoryOutcome.WrongCredentials, IsDisabled(entry)
                    ? $"the directory account {entry.DistinguishedName} is locked or disabled there (its password was not checked)"
                    : $"the directory refused the password of {entry.DistinguishedName}");
            }

            if (IsDisabled(entry))
            {
                // a directory that lets a locked account bind (the lock is only an attribute there): the broker refuses it
                return new DirectoryResult(DirectoryOutcome.Disabled, $"the directory account {entry.DistinguishedName} is disabled");
            }

            return new DirectoryResult(DirectoryOutcome.Ok, entry.DistinguishedName, ToUser(connection, directory, entry, account));
        }, cancellation);
    }

    /// <summary>A user found by the service account alone, with its groups (Kerberos has proven who it is: no password).</summary>
    public Task<DirectoryResult> ResolveAsync(DirectoryConnection directory, string account, CancellationToken cancellation = default)
    {
        var (name, _) = DirectoryNames.Split(account);
        if (name.Length == 0 || account.Any(char.IsControl))
        {
            return Task.FromResult(new DirectoryResult(DirectoryOutcome.WrongCredentials, "empty username"));
        }

        return WithServiceAsync(directory, pooled: true, (connection, _) =>
        {
            var entry = FindUser(connection, directory, name, account);
            if (entry is null)
            {
                return new DirectoryResult(DirectoryOutcome.WrongCredentials, $"no user {name} under {directory.BaseDn}");
            }

            return IsDisabled(entry)
                ? new DirectoryResult(DirectoryOutcome.Disabled, $"the directory account {entry.DistinguishedName} is disabled")
                : new DirectoryResult(DirectoryOutcome.Ok, entry.DistinguishedName, ToUser(connection, directory, entry, name));
        }, cancellation);
    }

    /// <summary>
    /// Deletes the computer objects with these names (a VM's hostname is its computer's CN) anywhere under the base
    /// DN, bound as the service account (which needs the right to delete computer objects there). A name that is no
    /// host name is skipped; one with no object is not an error (already removed, or never joined).
    /// </summary>
    public async Task<ComputerRemoval> RemoveComputersAsync(DirectoryConnection directory, IReadOnlyList<string> names, CancellationToken cancellation = default)
    {
        var removed = new List<string>();
        var failed = new List<string>();
        var valid = names.Where(n => n.Length is > 0 and <= 64 && n.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var result = await WithServiceAsync(directory, pooled: false, (connection, _) =>
        {
            foreach (var name in valid)
            {
                var search = new SearchRequest(directory.BaseDn, $"(&(objectClass=computer)(cn={LdapFilter.Escape(name)}))", SearchScope.Subtree, "cn");
                foreach (SearchResultEntry entry in ((SearchResponse)connection.SendRequest(search, directory.CallTimeout)).Entries)
                {
                    try
                    {
                        connection.SendRequest(new DeleteRequest(entry.DistinguishedName), directory.CallTimeout);
                        removed.Add(name);
                    }
                    catch (DirectoryOperationException e)
                    {
                        failed.Add($"{entry.DistinguishedName}: {e.Response?.ResultCode.ToString() ?? e.Message}");
                    }
                }
            }

            return failed.Count == 0
                ? new DirectoryResult(DirectoryOutcome.Ok, $"{removed.Count} computer objects removed")
                : new DirectoryResult(DirectoryOutcome.Refused, $"not removed: {string.Join("; ", failed.Take(5))}");
        }, cancellation);
        return new ComputerRemoval(result.Outcome, result.Detail, removed);
    }

    /// <summary>
    /// The enabled users of a group (by name or DN; in Active Directory nested groups included), or of the whole
    /// directory when <paramref name="group"/> is null. Results are paged (Active Directory answers 1,000 at most a page).
    /// </summary>
    public async Task<(DirectoryResult Result, IReadOnlyList<DirectoryUser> Users)> MembersAsync(DirectoryConnection directory, string? group,
        CancellationToken cancellation = default)
    {
        IReadOnlyList<DirectoryUser> users = [];
        var result = await WithServiceAsync(directory, pooled: true, (connection, _) =>
        {
            var ad = directory.Kind == DirectoryKind.ActiveDirectory;
            string filter;
            if (group is null)
            {
                filter = ad ? "(&(objectClass=user)(objectCategory=person))" : "(&(objectClass=person)(uid=*))";
            }
            else
            {
                var found = FindGroup(connection, directory, group.Trim());
                if (found is null)
                {
                    return new DirectoryResult(DirectoryOutcome.GroupNotFound, $"no group {group} under {directory.BaseDn}");
                }

                if (!ad)
                {
                    users = [.. DirectMembers(connection, directory, found)];
                    return new DirectoryResult(DirectoryOutcome.Ok, found.DistinguishedName);
                }

                filter = $"(&(objectClass=user)(objectCategory=person)(memberOf:{InChain}:={LdapFilter.Escape(found.DistinguishedName)}))";
            }

            var list = new List<DirectoryUser>();
            foreach (var entry in Paged(connection, directory, filter, UserAttributes, cancellation))
            {
                if (!IsDisabled(entry) && UserOf(entry) is { } user)
                {
                    list.Add(user);
                }
            }

            users = list;
            return new DirectoryResult(DirectoryOutcome.Ok, group ?? directory.BaseDn);
        }, cancellation);
        return (result, users);
    }

    private static SearchResultEntry? FindGroup(LdapConnection connection, DirectoryConnection directory, string group)
    {
        try
        {
            var request = group.Contains('=', StringComparison.Ordinal)
                ? new SearchRequest(group, "(objectClass=*)", SearchScope.Base, "member", "uniqueMember", "memberUid", "cn")
                : new SearchRequest(directory.BaseDn,
                    $"(&(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))(cn={LdapFilter.Escape(group)}))",
                    SearchScope.Subtree, "member", "uniqueMember", "memberUid", "cn");
            var response = (SearchResponse)connection.SendRequest(request, directory.CallTimeout);
            return response.Entries.Count == 1 ? response.Entries[0] : null;
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode is ResultCode.NoSuchObject or ResultCode.InvalidDNSyntax)
        {
            return null;
        }
    }

    /// <summary>An OpenLDAP/FreeIPA group's people: member and uniqueMember DNs, posixGroup memberUid names.</summary>
    private static IEnumerable<DirectoryUser> DirectMembers(LdapConnection connection, DirectoryConnection directory, SearchResultEntry group)
    {
        var dns = new[] { "member", "uniqueMember" }.SelectMany(a => group.Attributes[a] is { } values ? values.GetValues(typeof(string)).Cast<string>() : []);
        foreach (var dn in dns.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            SearchResponse response;
            try
            {
                response = (SearchResponse)connection.SendRequest(new SearchRequest(dn, "(objectClass=person)", SearchScope.Base, UserAttributes), directory.CallTimeout);
            }
            catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.NoSuchObject)
            {
                continue; // a member that no longer exists
            }

            if (response.Entries.Count == 1 && !IsDisabled(response.Entries[0]) && UserOf(response.Entries[0]) is { } user)
            {
                yield return user;
            }
        }

        foreach (var uid in group.Attributes["memberUid"] is { } names ? names.GetValues(typeof(string)).Cast<string>() : [])
        {
            if (FindUser(connection, directory, uid, uid) is { } entry && !IsDisabled(entry) && UserOf(entry) is { } user)
            {
                yield return user;
            }
        }
    }

    private static IEnumerable<SearchResultEntry> Paged(LdapConnection connection, DirectoryConnection directory, string filter, string[] attributes,
        CancellationToken cancellation)
    {
        var paging = new PageResultRequestControl(500);
        var request = new SearchRequest(directory.BaseDn, filter, SearchScope.Subtree, attributes);
        request.Controls.Add(paging);
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var response = (SearchResponse)connection.SendRequest(request, directory.CallTimeout);
            foreach (SearchResultEntry entry in response.Entries)
            {
                yield return entry;
            }

            var next = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault();
            if (next is null || next.Cookie.Length == 0)
            {
                yield break;
            }

            paging.Cookie = next.Cookie;
        }
    }

    /// <summary>A directory entry as a broker user (no groups: a sync does not need them); null without an account name.</summary>
    private static DirectoryUser? UserOf(SearchResultEntry entry) =>
        (Attribute(entry, "sAMAccountName") ?? Attribute(entry, "uid")) is { Length: > 0 } account
            ? new DirectoryUser(entry.DistinguishedName, account, Attribute(entry, "givenName") ?? "", Attribute(entry, "sn") ?? "", Attribute(entry, "mail") ?? "", [])
            : null;

    private static SearchResultEntry? FindUser(LdapConnection connection, DirectoryConnection directory, string account, string typed)
    {
        var filter = directory.Kind == DirectoryKind.ActiveDirectory
            ? $"(&(objectClass=user)(|(sAMAccountName={LdapFilter.Escape(account)})(userPrincipalName={LdapFilter.Escape(typed.Trim())})))"
            : $"(&(objectClass=person)(uid={LdapFilter.Escape(account)}))";
        var response = (SearchResponse)connection.SendRequest(new SearchRequest(directory.BaseDn, filter, SearchScope.Subtree, UserAttributes), directory.CallTimeout);
        return response.Entries.Count == 1 ? response.Entries[0] : null; // none, or ambiguous: nobody
    }

    /// <summary>
    /// Disabled (userAccountControl ACCOUNTDISABLE or LOCKOUT), FreeIPA's nsAccountLock, or locked by OpenLDAP's
    /// password policy (pwdAccountLockedTime).
    /// </summary>
    private static bool IsDisabled(SearchResultEntry entry) =>
        (Attribute(entry, "userAccountControl") is { } control && int.TryParse(control, out var flags) && (flags & 0x12) != 0)
        || string.Equals(Attribute(entry, "nsAccountLock"), "TRUE", StringComparison.OrdinalIgnoreCase)
        || Attribute(entry, "pwdAccountLockedTime") is { Length: > 0 };

    /// <summary>What an Active Directory bind error's "data" code says of an account whose password was right.</summary>
    internal static (DirectoryOutcome Outcome, string Detail)? ActiveDirectoryRefusal(string? serverMessage)
    {
        if (serverMessage is null)
        {
            return null;
        }

        var at = serverMessage.IndexOf(", data ", StringComparison.Ordinal);
        var code = at < 0 ? "" : new string([.. serverMessage[(at + 7)..].TakeWhile(char.IsAsciiHexDigit)]);
        return code.ToLowerInvariant() switch
        {
            "533" => (DirectoryOutcome.Disabled, "is disabled"),
            "775" => (DirectoryOutcome.Disabled, "is locked out"),
            "701" => (DirectoryOutcome.Disabled, "has expired"),
            "530" or "531" => (DirectoryOutcome.Disabled, "may not log in at this time or from this computer"),
            "532" or "773" => (DirectoryOutcome.PasswordExpired, "must change its password first"),
            _ => null,
        };
    }

    private static DirectoryUser ToUser(LdapConnection connection, DirectoryConnection directory, SearchResultEntry entry, string account)
    {
        var groups = new List<string>();
        if (directory.Kind == DirectoryKind.ActiveDirectory)
        {
            // every group the user is in, directly or through nested groups (memberOf lists only the direct ones)
            var chain = $"(&(objectClass=group)(member:{InChain}:={LdapFilter.Escape(entry.DistinguishedName)}))";
            var response = (SearchResponse)connection.SendRequest(new SearchRequest(directory.BaseDn, chain, SearchScope.Subtree, "cn"), directory.CallTimeout);
            groups.AddRange(response.Entries.Cast<SearchResultEntry>().Select(g => Attribute(g, "cn") ?? CommonName(g.DistinguishedName)));
        }
        else if (entry.Attributes["memberOf"] is { } memberOf)
        {
            groups.AddRange(memberOf.GetValues(typeof(string)).Cast<string>().Select(CommonName));
        }
        else
        {
            var filter = $"(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))(|(member={LdapFilter.Escape(entry.DistinguishedName)})(uniqueMember={LdapFilter.Escape(entry.DistinguishedName)})))";
            var response = (SearchResponse)connection.SendRequest(new SearchRequest(directory.BaseDn, filter, SearchScope.Subtree, "cn"), directory.CallTimeout);
            groups.AddRange(response.Entries.Cast<SearchResultEntry>().Select(g => Attribute(g, "cn") ?? CommonName(g.DistinguishedName)));
        }

        var user = UserOf(entry) ?? new DirectoryUser(entry.DistinguishedName, account, Attribute(entry, "givenName") ?? "", Attribute(entry, "sn") ?? "",
            Attribute(entry, "mail") ?? "", []);
        return user with { Groups = [.. groups.Distinct(StringComparer.OrdinalIgnoreCase)] };
    }

    private static string CommonName(string dn)
    {
        var first = dn.Split(',', 2)[0];
        return first.StartsWith("cn=", StringComparison.OrdinalIgnoreCase) ? first[3..] : first;
    }

    private static string? Attribute(SearchResultEntry entry, string name) =>
        entry.Attributes[name] is { Count: > 0 } values ? values[0] as string ?? values.GetValues(typeof(string))[0] as string : null;

    /// <summary>
    /// Runs <paramref name="work"/> on a connection bound as the service account: an idle one of the pool when there is
    /// one (a broken one is closed and the servers tried afresh), else on the first server that answers, in order.
    /// At most <see cref="MaxConcurrentCalls"/> at once. The library's calls block: cancelling returns to the caller at
    /// once, the thread is freed by the call's timeout.
    /// </summary>
    private async Task<DirectoryResult> WithServiceAsync(DirectoryConnection directory, bool pooled, Func<LdapConnection, string, DirectoryResult> work,
        CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation);
        try
        {
            return await Task.Run(() => WithService(directory, pooled, work, cancellation), cancellation).WaitAsync(cancellation);
        }
        finally
        {
            _gate.Release();
        }
    }

    private DirectoryResult WithService(DirectoryConnection directory, bool pooled, Func<LdapConnection, string, DirectoryResult> work, CancellationToken cancellation)
    {
        if (directory.Security != DirectorySecurity.None && directory.CaDirectory is { Length: > 0 } ca && !System.IO.Directory.Exists(ca))
        {
            return new DirectoryResult(DirectoryOutcome.Tls, $"the trusted CA folder {ca} does not exist");
        }

        var key = pooled ? PoolKey(directory, "service") : null;
        if (key is not null && TakeIdle(key) is { } idle)
        {
            try
            {
                var result = work(idle.Connection, idle.Server);
                GiveBack(key, idle);
                return result;
            }
            catch (Exception e) when (e is LdapException or DirectoryOperationException)
            {
                idle.Connection.Dispose(); // closed by the server meanwhile: try the servers afresh
            }
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

            var fresh = new Pooled(opened, server, DateTime.UtcNow);
            try
            {
                var result = work(opened, server);
                if (key is not null)
                {
                    GiveBack(key, fresh);
                    fresh = null;
                }

                return result;
            }
            catch (Exception e) when (e is LdapException or DirectoryOperationException)
            {
                // the server stopped answering (or timed out) in the middle: the next one, else "unreachable", never a 500
                tried.Add($"{server}: {e.Message}");
            }
            finally
            {
                fresh?.Connection.Dispose();
            }
        }

        return new DirectoryResult(DirectoryOutcome.Unreachable, $"the directory is unreachable ({string.Join("; ", tried)})");
    }

    /// <summary>
    /// The user's own bind, on a pooled connection kept for binds only (never for searches): LDAP allows binding again
    /// on a connection, which saves a TCP (and TLS) handshake per login. Throws the library's exception on refusal.
    /// </summary>
    private void UserBind(DirectoryConnection directory, string server, NetworkCredential credential)
    {
        var key = PoolKey(directory, $"bind|{server}");
        var pooled = TakeIdle(key);
        if (pooled is not null)
        {
            try
            {
                pooled.Connection.Bind(credential);
                GiveBack(key, pooled);
                return;
            }
            catch (LdapException e) when (e.ErrorCode == 49)
            {
                GiveBack(key, pooled); // refused: the connection is anonymous again, and fine
                throw;
            }
            catch (LdapException)
            {
                pooled.Connection.Dispose(); // closed meanwhile: a fresh one below
            }
        }

        var connection = Open(directory, server, credential);
        try
        {
            connection.Bind();
        }
        catch (LdapException e) when (e.ErrorCode == 49)
        {
            GiveBack(key, new Pooled(connection, server, DateTime.UtcNow));
            throw;
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        GiveBack(key, new Pooled(connection, server, DateTime.UtcNow));
    }

    private static string PoolKey(DirectoryConnection d, string use) =>
        $"{use}|{d.Kind}|{d.Security}|{string.Join(",", d.Servers)}|{d.CaDirectory}|{d.CallTimeout.TotalMilliseconds}|{d.ServiceDn}|"
        + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(d.ServicePassword)));

    private Pooled? TakeIdle(string key)
    {
        if (!_idle.TryGetValue(key, out var bag))
        {
            return null;
        }

        while (bag.TryTake(out var pooled))
        {
            if (DateTime.UtcNow - pooled.Since < IdleLifetime)
            {
                return pooled;
            }

            pooled.Connection.Dispose();
        }

        return null;
    }

    private void GiveBack(string key, Pooled pooled)
    {
        var bag = _idle.GetOrAdd(key, _ => []);
        if (bag.Count >= MaxConcurrentCalls)
        {
            pooled.Connection.Dispose();
            return;
        }

        bag.Add(pooled);
    }

    public void Dispose()
    {
        foreach (var bag in _idle.Values)
        {
            while (bag.TryTake(out var pooled))
            {
                pooled.Connection.Dispose();
            }
        }

        _gate.Dispose();
    }

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
