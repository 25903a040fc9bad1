using Vdi.Grains.Directories;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Directories;

/// <summary>
/// Issue 15, first part: the LDAP client against a real OpenLDAP (Debian's slapd, started by scripts/test.sh with a
/// seeded tree and a certificate of its own CA): the user found by the service account, the password checked by the
/// user's own bind, each username form, what "test connection" says for each failure, and no filter injection.
/// </summary>
public sealed class LdapDirectoryClientTests
{
    private static readonly LdapDirectoryClient Client = new();

    private static DirectoryConnection Directory(DirectorySecurity security = DirectorySecurity.None, string? servicePassword = null,
        string? baseDn = null, IReadOnlyList<string>? servers = null, string? caDirectory = "")
    {
        var ldap = TestServices.Ldap;
        var plain = new Uri(ldap.Url);
        var secure = new Uri(ldap.SecureUrl);
        var server = security == DirectorySecurity.Ldaps ? $"{secure.Host}:{secure.Port}" : $"{plain.Host}:{plain.Port}";
        return new DirectoryConnection(DirectoryKind.OpenLdap, servers ?? [server], security, baseDn ?? ldap.BaseDn, ldap.ServiceDn,
            servicePassword ?? ldap.ServicePassword, caDirectory == "" ? ldap.CaDirectory : caDirectory, Timeout: TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("ldap-alice")]
    [InlineData("VDI\\ldap-alice")]
    [InlineData("ldap-alice@vdi.test")]
    public async Task Each_username_form_finds_the_user_and_the_directory_checks_the_password(string typed)
    {
        var ok = await Client.AuthenticateAsync(Directory(), typed, TestServices.Ldap.UserPassword);
        Assert.True(ok.Ok, ok.Detail);
        Assert.Equal(("uid=ldap-alice,ou=people,dc=vdi,dc=test", "ldap-alice", "Alice", "Liddell", "alice@vdi.test"),
            (ok.User!.Dn, ok.User.Account, ok.User.FirstName, ok.User.LastName, ok.User.Email));
        Assert.Equal(["vdi-operators"], ok.User.Groups);

        var wrong = await Client.AuthenticateAsync(Directory(), typed, "not-the-password");
        Assert.Equal(DirectoryOutcome.WrongCredentials, wrong.Outcome);
    }

    [Theory]
    [InlineData("ipa-gina")]
    [InlineData("VDI\\ipa-gina")]
    [InlineData("ipa-gina@vdi.test")]
    public async Task A_freeipa_directory_finds_its_people_under_cn_users_cn_accounts(string typed)
    {
        var ipa = Directory() with { Kind = DirectoryKind.FreeIpa };
        var ok = await Client.AuthenticateAsync(ipa, typed, TestServices.Ldap.UserPassword);
        Assert.True(ok.Ok, ok.Detail);
        Assert.Equal(("uid=ipa-gina,cn=users,cn=accounts,dc=vdi,dc=test", "ipa-gina", "gina@vdi.test"), (ok.User!.Dn, ok.User.Account, ok.User.Email));
        Assert.Equal(DirectoryOutcome.WrongCredentials, (await Client.AuthenticateAsync(ipa, typed, "not-the-password")).Outcome);
    }

    [Fact]
    public async Task A_user_in_an_ou_below_people_is_found_and_an_empty_password_is_never_an_anonymous_bind()
    {
        var bob = await Client.AuthenticateAsync(Directory(), "ldap-bob", TestServices.Ldap.UserPassword);
        Assert.True(bob.Ok, bob.Detail);
        Assert.Equal("uid=ldap-bob,ou=accounting,ou=people,dc=vdi,dc=test", bob.User!.Dn);
        Assert.Empty(bob.User.Groups);
        Assert.Equal(DirectoryOutcome.WrongCredentials, (await Client.AuthenticateAsync(Directory(), "ldap-bob", "")).Outcome);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("ldap-*")]
    [InlineData("ldap-alice)(uid=*")]
    [InlineData("*)(|(uid=*")]
    [InlineData("ldap-alice\\")]
    [InlineData("ldap-alice\0")]
    public async Task A_filter_in_the_username_matches_nobody(string typed)
    {
        var result = await Client.AuthenticateAsync(Directory(), typed, TestServices.Ldap.UserPassword);
        Assert.Equal(DirectoryOutcome.WrongCredentials, result.Outcome);
    }

    [Fact]
    public async Task Test_connection_says_exactly_what_failed()
    {
        Assert.True((await Client.TestAsync(Directory())).Ok);
        Assert.True((await Client.TestAsync(Directory(DirectorySecurity.Ldaps))).Ok); // LDAPS with the directory's private CA
        Assert.True((await Client.TestAsync(Directory(DirectorySecurity.StartTls))).Ok);

        Assert.Equal(DirectoryOutcome.BadServiceCredentials, (await Client.TestAsync(Directory(servicePassword: "wrong-service-password"))).Outcome);
        Assert.Equal(DirectoryOutcome.BaseDnNotFound, (await Client.TestAsync(Directory(baseDn: "dc=nowhere,dc=test"))).Outcome);
        var down = await Client.TestAsync(Directory(servers: [$"127.0.0.1:{FreePort.Next()}"]));
        Assert.Equal(DirectoryOutcome.Unreachable, down.Outcome);
        Assert.Contains("the directory is unreachable", down.Detail);
        // the system's trust does not know the directory's CA: the handshake fails, and says so
        Assert.Equal(DirectoryOutcome.Tls, (await Client.TestAsync(Directory(DirectorySecurity.Ldaps, caDirectory: null))).Outcome);
    }

    [Fact]
    public async Task A_dead_first_server_fails_over_to_the_next()
    {
        var live = Directory().Servers[0];
        var result = await Client.AuthenticateAsync(Directory(servers: [$"127.0.0.1:{FreePort.Next()}", live]), "ldap-alice", TestServices.Ldap.UserPassword);
        Assert.True(result.Ok, result.Detail);
    }

    [Fact]
    public async Task Pooled_connections_the_server_dropped_are_replaced_without_failing_a_login()
    {
        // a TCP relay to slapd that the test can cut, as a server restart or an idle timeout does
        await using var relay = await TcpRelay.StartAsync(new Uri(TestServices.Ldap.Url));
        using var client = new LdapDirectoryClient();
        var directory = Directory(servers: [$"127.0.0.1:{relay.Port}"]);
        for (var round = 0; round < 3; round++)
        {
            var ok = await client.AuthenticateAsync(directory, "ldap-alice", TestServices.Ldap.UserPassword);
            Assert.True(ok.Ok, $"round {round}: {ok.Detail}");
            Assert.Equal(DirectoryOutcome.WrongCredentials, (await client.AuthenticateAsync(directory, "ldap-alice", "not-the-password")).Outcome);
            relay.CutAll();
        }

        // and reused while they live: three rounds of two logins each opened far fewer connections than calls
        Assert.InRange(relay.Accepted, 3, 10);
    }

    [Fact]
    public void Values_are_escaped_as_rfc_4515_says()
    {
        Assert.Equal(@"a\2ab\28c\29d\5ce\00", LdapFilter.Escape("a*b(c)d\\e\0"));
        Assert.Equal(("user", "DOMAIN"), Vdi.Grains.Interfaces.Directories.DirectoryNames.Split("DOMAIN\\user"));
        Assert.Equal(("user", "corp.example"), Vdi.Grains.Interfaces.Directories.DirectoryNames.Split("user@corp.example"));
        Assert.Equal(("user", (string?)null), Vdi.Grains.Interfaces.Directories.DirectoryNames.Split(" user "));
    }
}

/// <summary>A loopback TCP relay to a server, whose connections the test can cut at once.</summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
    private readonly System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _target;
    private Task _accepting = Task.CompletedTask;
    private int _accepted;

    private TcpRelay(Uri target) => _target = target;

    public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public static Task<TcpRelay> StartAsync(Uri target)
    {
        var relay = new TcpRelay(target);
        relay._listener.Start();
        relay._accepting = relay.AcceptAsync();
        return Task.FromResult(relay);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                var outbound = new System.Net.Sockets.TcpClient();
                await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                _open.Add(inbound);
                _open.Add(outbound);
                _ = PumpAsync(inbound, outbound);
                _ = PumpAsync(outbound, inbound);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private static async Task PumpAsync(System.Net.Sockets.TcpClient from, System.Net.Sockets.TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // cut
        }
        finally
        {
            to.Close();
        }
    }

    /// <summary>Closes every relayed connection (RST), as a restarted server would.</summary>
    public void CutAll()
    {
        while (_open.TryTake(out var connection))
        {
            if (connection.Client is { Connected: true } socket)
            {
                socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            }

            connection.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
        _stop.Dispose();
    }
}
