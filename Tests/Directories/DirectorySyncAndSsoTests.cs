using System.DirectoryServices.Protocols;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Text.Json;
using OtpNet;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Directories;

/// <summary>
/// Issue 15: Active Directory logins through VeiL Connect (each name form, a UPN of another suffix, nested groups
/// mapped, a disabled account), creation at first login turned off, a directory user's 2FA, group sync as a task
/// (added, removed, renamed members), and Kerberos SSO against the Samba DC's KDC with a real ticket.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class DirectorySyncAndSsoTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private static Task<JsonElement> LdapLoginAsync(Uri gateway, string username, string password, string code = "") =>
        TestDirectories.LdapLoginAsync(gateway, username, password, code);

    private static string? Error(JsonElement answer) =>
        answer.TryGetProperty("errors", out var errors) ? errors[0].GetProperty("message").GetString() : null;

    private async Task<Guid> GroupAsync(string name) =>
        (await system.Grains.GetGrain<IGroupGrain>(Guid.NewGuid()).CreateAsync($"{name}-{Guid.NewGuid():N}"[..24], "", "tests")).Id;

    private async Task<IDirectoryGrain> DirectoryAsync(DirectorySettings settings)
    {
        var directory = system.Grains.GetGrain<IDirectoryGrain>(Guid.NewGuid());
        await directory.CreateAsync(settings, "tests");
        return directory;
    }

    [Fact]
    public async Task The_veil_connect_sequence_with_ldap_against_active_directory_reaches_a_desktop_through_a_nested_group()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 0);
        var desktops = await GroupAsync("ad-desktops");
        await system.Grains.GetGrain<Vdi.Grains.Interfaces.Pools.IPoolGrain>(scenario.PoolId).EntitleAsync([], [desktops], "tests");
        var directory = await DirectoryAsync(TestDirectories.ActiveDirectory(
            [new DirectoryMapping("desktop users", DirectoryMappingKind.Group, ["vdi-desktop-users"], [desktops], Priority: 10)]));
        try
        {
            await using var client = new VeilConnectClient(Gateway);
            var login = await client.LoginAsync("VDIAD\\ad-carol", TestServices.Ad.UserPassword, ldap: true);
            Assert.True(login.TryGetProperty("data", out var data), login.ToString());
            Assert.Equal(("ad-carol", "VDIAD"), (data.GetProperty("username").GetString(), data.GetProperty("domain").GetString()));

            // ad-carol is in vdi-staff, which is in vdi-desktop-users: the mapping matched through the nesting
            await client.ConnectAsync();
            var (_, pools) = await client.GetAsync("/api/client/pools");
            Assert.Contains(pools.GetProperty("data").EnumerateArray(), p => p.GetProperty("id").GetGuid() == scenario.PoolId);
            var (status, vm) = await client.GetVmAsync(scenario.PoolId);
            Assert.Equal(200, status);
            Assert.Equal(JsonValueKind.Number, vm.GetProperty("data").GetProperty("port").ValueKind);

            // a UPN of another suffix is the same person: the broker user is the account's name
            var dave = await LdapLoginAsync(Gateway, "dave@corp.vdi.test", TestServices.Ad.UserPassword);
            Assert.Equal("ad-dave", dave.GetProperty("data").GetProperty("username").GetString());
            Assert.Null(await system.Grains.ForName("dave").FindUserIdAsync());

            // disabled in the domain: the original's words once the password is right, a plain refusal otherwise
            Assert.Equal("User ad-erin is deactivate.", Error(await LdapLoginAsync(Gateway, "ad-erin", TestServices.Ad.UserPassword)));
            Assert.Equal("Authentication failed for user: ad-erin.", Error(await LdapLoginAsync(Gateway, "ad-erin", "Wrong-Pass-1")));
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }

    [Fact]
    public async Task With_creation_at_first_login_off_an_unknown_directory_user_is_refused_and_created_once_it_is_on()
    {
        var uid = $"jit-{Guid.NewGuid():N}"[..16];
        TestDirectories.Change(TestDirectories.Person(uid));
        var directory = await DirectoryAsync(TestDirectories.OpenLdap(createUsers: false));
        try
        {
            Assert.Equal($"Authentication failed for user: {uid}.", Error(await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword)));
            Assert.Null(await system.Grains.ForName(uid).FindUserIdAsync());
            Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where description like '%does not create users at the first login%' and message like @m",
                ("m", $"%{uid}%")) >= 1);

            await directory.UpdateAsync(new DirectorySettings { CreateUsers = true }, "tests");
            Assert.True((await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword)).TryGetProperty("data", out _));
            Assert.NotNull(await system.Grains.ForName(uid).FindUserIdAsync());
        }
        finally
        {
            await directory.DeleteAsync("tests");
            TestDirectories.Change(new DeleteRequest(TestDirectories.PersonDn(uid)));
        }
    }

    [Fact]
    public async Task A_directory_user_with_two_factor_needs_the_code_as_well_as_the_directory_password()
    {
        var uid = $"otp-{Guid.NewGuid():N}"[..16];
        TestDirectories.Change(TestDirectories.Person(uid));
        var directory = await DirectoryAsync(TestDirectories.OpenLdap());
        try
        {
            Assert.True((await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword)).TryGetProperty("data", out _));
            var user = system.Grains.GetGrain<IUserGrain>((await system.Grains.ForName(uid).FindUserIdAsync())!.Value);
            var secret = (await user.GenerateTotpSecretAsync()).Secret;
            await user.SetTwoFactorAsync(true); // as VeiL Connect turns it on: the first login's code confirms it

            Assert.Equal($"Authentication failed for user: {uid}.", Error(await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword)));
            Assert.Equal($"Authentication failed for user: {uid}.", Error(await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword, "000000")));
            var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp();
            Assert.Equal($"Authentication failed for user: {uid}.", Error(await LdapLoginAsync(Gateway, uid, "Wrong-Pass-1", code)));
            Assert.True((await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword, code)).TryGetProperty("data", out _));
        }
        finally
        {
            await directory.DeleteAsync("tests");
            TestDirectories.Change(new DeleteRequest(TestDirectories.PersonDn(uid)));
        }
    }

    [Fact]
    public async Task Group_sync_is_a_task_that_follows_added_removed_and_renamed_members()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        string Uid(string who) => $"sync-{tag}-{who}";
        var groupCn = $"sync-{tag}";
        TestDirectories.Change(TestDirectories.Person(Uid("a")), TestDirectories.Person(Uid("b")), TestDirectories.Person(Uid("c")),
            TestDirectories.Group(groupCn, Uid("a"), Uid("b"), Uid("c")));
        // a local user who bears a member's name is not the directory's to speak for
        await system.Grains.ForName(Uid("c")).CreateUserAsync(new NewUser(Uid("c"), "local-password-1", false, [], "tests"));
        var broker = await GroupAsync("synced");
        var directory = await DirectoryAsync(TestDirectories.OpenLdap());
        try
        {
            async Task<string> SyncAsync()
            {
                var task = system.Grains.GetGrain<ITaskGrain>(await directory.SynchronizeGroupAsync(groupCn, broker, "tests"));
                Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync())!.Status is BrokerTaskStatus.Finished or BrokerTaskStatus.Failed,
                    TimeSpan.FromSeconds(60)));
                var view = (await task.GetAsync())!;
                Assert.True(view.Status == BrokerTaskStatus.Finished, view.Message);
                Assert.Equal(BrokerTaskType.AdSynchronizeGroup, view.Type);
                return view.Message;
            }

            async Task<string[]> MembersAsync() => [.. (await TestDb.ScalarsAsync<string>(
                "select u.username from vdi_group_members m join vdi_users u on u.id = m.user_id where m.group_id = @g", ("g", broker))).Order(StringComparer.Ordinal)];

            Assert.Contains("1 skipped", await SyncAsync());
            Assert.Equal([Uid("a"), Uid("b")], await MembersAsync());
            var created = (await system.Grains.GetGrain<IUserGrain>((await system.Grains.ForName(Uid("a")).FindUserIdAsync())!.Value).GetAsync())!;
            Assert.Equal("DIRECTORY", created.Source);
            Assert.Equal("vdi_tasks", await TestDb.ScalarAsync<string>("select 'vdi_tasks' from vdi_tasks where entity_id = @d and task_type = 'AD_SYNCHRONIZE_GROUP' limit 1",
                ("d", directory.GetPrimaryKey())));

            // b leaves the group, a is renamed a2 (new DN), d joins
            var groupDn = $"cn={groupCn},ou=groups,{TestServices.Ldap.BaseDn}";
            TestDirectories.Change(
                new ModifyDNRequest(TestDirectories.PersonDn(Uid("a")), $"ou=people,{TestServices.Ldap.BaseDn}", $"uid={Uid("a2")}") { DeleteOldRdn = true },
                TestDirectories.Person(Uid("d")),
                new ModifyRequest(groupDn, DirectoryAttributeOperation.Replace, "member", TestDirectories.PersonDn(Uid("a2")), TestDirectories.PersonDn(Uid("d")),
                    TestDirectories.PersonDn(Uid("c"))));
            Assert.Contains("taken out", await SyncAsync());
            Assert.Equal([Uid("a2"), Uid("d")], await MembersAsync());

            // an unknown directory group fails the task with the reason
            var missing = system.Grains.GetGrain<ITaskGrain>(await directory.SynchronizeGroupAsync("no-such-group", broker, "tests"));
            Assert.True(await Eventually.TrueAsync(async () => (await missing.GetAsync())!.Status == BrokerTaskStatus.Failed, TimeSpan.FromSeconds(60)));
            Assert.Contains("no group no-such-group", (await missing.GetAsync())!.Message);
        }
        finally
        {
            await directory.DeleteAsync("tests");
            TestDirectories.Change(new DeleteRequest(groupDnOf(groupCn)), new DeleteRequest(TestDirectories.PersonDn(Uid("a2"))),
                new DeleteRequest(TestDirectories.PersonDn(Uid("b"))), new DeleteRequest(TestDirectories.PersonDn(Uid("c"))),
                new DeleteRequest(TestDirectories.PersonDn(Uid("d"))));
        }

        static string groupDnOf(string cn) => $"cn={cn},ou=groups,{TestServices.Ldap.BaseDn}";
    }

    [Fact]
    public async Task A_group_sync_waiting_on_a_directory_that_does_not_answer_is_cancelled_like_any_task()
    {
        // a server that takes the TCP connection and never says a word: the sync waits on its first LDAP call
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentQueue<System.Net.Sockets.TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Enqueue(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // stopped
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var broker = await GroupAsync("cancelled");
        var directory = await DirectoryAsync(TestDirectories.OpenLdap() with { Servers = [$"127.0.0.1:{port}"], TimeoutSeconds = 120 });
        try
        {
            var task = system.Grains.GetGrain<ITaskGrain>(await directory.SynchronizeGroupAsync("vdi-operators", broker, "tests"));
            Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync())!.Status == BrokerTaskStatus.InProgress, TimeSpan.FromSeconds(30)));
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(!held.IsEmpty), TimeSpan.FromSeconds(30)), "the sync never reached the directory");

            await task.CancelAsync("tests");
            // long before the directory's 120 s timeout: the cancel reached the call that was waiting
            Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync())!.Status == BrokerTaskStatus.Cancelled, TimeSpan.FromSeconds(20)),
                (await task.GetAsync())!.Message);
            Assert.Empty(await TestDb.ScalarsAsync<Guid>("select user_id from vdi_group_members where group_id = @g", ("g", broker)));
        }
        finally
        {
            await directory.DeleteAsync("tests");
            silent.Stop();
            await accepting;
            foreach (var connection in held)
            {
                connection.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_user_sync_creates_every_enabled_directory_user_and_not_a_locked_one()
    {
        var directory = await DirectoryAsync(TestDirectories.OpenLdap());
        try
        {
            var task = system.Grains.GetGrain<ITaskGrain>(await directory.SynchronizeUsersAsync("tests"));
            Assert.True(await Eventually.TrueAsync(async () => (await task.GetAsync())!.Status is BrokerTaskStatus.Finished or BrokerTaskStatus.Failed,
                TimeSpan.FromSeconds(60)));
            var view = (await task.GetAsync())!;
            Assert.True(view.Status == BrokerTaskStatus.Finished, view.Message);
            Assert.Equal(BrokerTaskType.LdapSynchronizeUsers, view.Type);
            foreach (var name in new[] { "ldap-bob", "ipa-gina" })
            {
                var id = await system.Grains.ForName(name).FindUserIdAsync();
                Assert.True(id is not null, $"{name} was not created");
                Assert.Equal("DIRECTORY", (await system.Grains.GetGrain<IUserGrain>(id!.Value).GetAsync())!.Source);
            }

            Assert.Null(await system.Grains.ForName("ldap-dan").FindUserIdAsync()); // locked by the directory's password policy
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }

    [Fact]
    public async Task The_scheduled_re_sync_is_a_reminder_that_starts_each_configured_group_sync()
    {
        var broker = await GroupAsync("resync");
        var directory = await DirectoryAsync(TestDirectories.OpenLdap());
        var id = directory.GetPrimaryKey();
        async Task<long> RemindersAsync() => await TestDb.ScalarAsync<long>(
            "select count(*) from orleansreminderstable where remindername = 'directory-sync' and grainid like @g", ("g", $"%{id:N}%"));
        try
        {
            Assert.Equal(0, await RemindersAsync()); // nothing to sync: no reminder
            await directory.UpdateAsync(new DirectorySettings { GroupSyncs = [new DirectoryGroupSync("vdi-operators", broker)], SyncMinutes = 30 }, "tests");
            Assert.Equal(1, await RemindersAsync());

            // the reminder's tick, as Orleans delivers it
            await directory.AsReference<IRemindable>().ReceiveReminder("directory-sync", default);
            Assert.True(await Eventually.TrueAsync(async () => await TestDb.ScalarAsync<long>(
                "select count(*) from vdi_tasks where entity_id = @d and task_type = 'AD_SYNCHRONIZE_GROUP' and creator = 'system' and status = 'FINISHED'", ("d", id)) == 1,
                TimeSpan.FromSeconds(60)), "the re-sync did not run");
            Assert.Equal(["ldap-alice"], await TestDb.ScalarsAsync<string>(
                "select u.username from vdi_group_members m join vdi_users u on u.id = m.user_id where m.group_id = @g", ("g", broker)));

            await directory.UpdateAsync(new DirectorySettings { SyncMinutes = 0 }, "tests");
            Assert.Equal(0, await RemindersAsync());
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }

    [Fact]
    public async Task Wrong_directory_passwords_lock_the_account_out_like_local_ones()
    {
        var uid = $"lock-{Guid.NewGuid():N}"[..16];
        TestDirectories.Change(TestDirectories.Person(uid));
        var directory = await DirectoryAsync(TestDirectories.OpenLdap());
        try
        {
            Assert.True((await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword)).TryGetProperty("data", out _));
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal($"Authentication failed for user: {uid}.", Error(await LdapLoginAsync(Gateway, uid, "Wrong-Pass-1")));
            }

            Assert.Contains("Too many failed attempts", Error(await LdapLoginAsync(Gateway, uid, "Wrong-Pass-1")));
            // locked: even the right password is refused without asking the directory
            Assert.Contains("Too many failed attempts", Error(await LdapLoginAsync(Gateway, uid, TestServices.Ldap.UserPassword)));
        }
        finally
        {
            await directory.DeleteAsync("tests");
            TestDirectories.Change(new DeleteRequest(TestDirectories.PersonDn(uid)));
        }
    }

    /// <summary>A SPNEGO token for HTTP/localhost from the KDC, as a browser or VeiL Connect's GSSAPI would send it.</summary>
    private static string KerberosToken(string user, string password)
    {
        using var client = new NegotiateAuthentication(new NegotiateAuthenticationClientOptions
        {
            Package = "Kerberos",
            Credential = new NetworkCredential(user, password, TestServices.Ad.Realm),
            TargetName = "HTTP/localhost",
        });
        var blob = client.GetOutgoingBlob(ReadOnlySpan<byte>.Empty, out var status);
        Assert.True(blob is not null && status is NegotiateAuthenticationStatusCode.ContinueNeeded or NegotiateAuthenticationStatusCode.Completed,
            $"no ticket from the KDC: {status}");
        return Convert.ToBase64String(blob!);
    }

    [Fact]
    public async Task Kerberos_sso_answers_the_same_token_as_a_login_and_refuses_without_a_valid_ticket()
    {
        var ad = TestServices.Ad;
        await using var gateway = await system.StartGatewayAsync("--Sso:Enabled=true", $"--Sso:KeytabPath={ad.Keytab}", $"--Sso:Realm={ad.Realm}",
            "--Broker:LoginsPerMinutePerAddress=1000000", "--Broker:LoginsPerMinutePerUsername=1000000");
        var url = new Uri(gateway.Urls.First());
        var directory = await DirectoryAsync(TestDirectories.ActiveDirectory());
        try
        {
            using var http = GatewayClients.Http(url);
            Assert.True((await http.GetFromJsonAsync<JsonElement>("/api/settings/")).GetProperty("data").GetProperty("sso").GetBoolean());

            // no ticket: the Negotiate challenge
            var challenge = await http.GetAsync("/api/sso/");
            Assert.Equal(HttpStatusCode.Unauthorized, challenge.StatusCode);
            Assert.Equal("Negotiate", challenge.Headers.WwwAuthenticate.Single().Scheme);

            // a forged token: refused, never a 500
            using (var forged = new HttpRequestMessage(HttpMethod.Get, "/api/sso/"))
            {
                forged.Headers.TryAddWithoutValidation("Authorization", "Negotiate " + Convert.ToBase64String(new byte[64]));
                Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sso/");
            request.Headers.TryAddWithoutValidation("Authorization", "Negotiate " + KerberosToken("ad-carol", ad.UserPassword));
            var reply = await http.SendAsync(request);
            var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.TryGetProperty("data", out var data), body.ToString());
            Assert.Equal(("ad-carol", "VDIAD"), (data.GetProperty("username").GetString(), data.GetProperty("domain").GetString()));

            // the token is a broker token like /auth/'s
            using var client = GatewayClients.Http(url);
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {data.GetProperty("access_token").GetString()}");
            Assert.True((await client.GetAsync("/api/client/pools")).IsSuccessStatusCode);
            var id = (await system.Grains.ForName("ad-carol").FindUserIdAsync())!.Value;
            Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @u and description like 'Auth type: Kerberos,%'", ("u", id)) >= 1);

            // a disabled account's ticket cannot be had (the KDC refuses it), and the default gateway has no SSO
            Assert.Throws<Xunit.Sdk.TrueException>(() => KerberosToken("ad-erin", ad.UserPassword));
            using var plain = GatewayClients.Http(Gateway);
            Assert.False((await plain.GetFromJsonAsync<JsonElement>("/api/settings/")).GetProperty("data").GetProperty("sso").GetBoolean());
            Assert.Equal(HttpStatusCode.NotFound, (await plain.GetAsync("/api/sso/")).StatusCode);

            // misconfigured SSO stops the gateway's start, naming the setting
            var noRealm = await Assert.ThrowsAsync<InvalidOperationException>(() => system.StartGatewayAsync("--Sso:Enabled=true", $"--Sso:KeytabPath={ad.Keytab}"));
            Assert.Contains("Sso:Realm", noRealm.Message);
            var noKeytab = await Assert.ThrowsAsync<InvalidOperationException>(() => system.StartGatewayAsync("--Sso:Enabled=true", "--Sso:KeytabPath=/nonexistent.keytab",
                $"--Sso:Realm={ad.Realm}"));
            Assert.Contains("Sso:KeytabPath", noKeytab.Message);
        }
        finally
        {
            await directory.DeleteAsync("tests");
        }
    }
}
