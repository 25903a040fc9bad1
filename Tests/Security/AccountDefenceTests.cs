using OtpNet;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Security;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>
/// Issue 14 §3 in the grains, on the logins' fake clock: lockouts that grow, one-time codes that count, a name nobody
/// holds locked like an account, password expiry and history, 2FA enrolment rules, and the journal of each.
/// </summary>
[Collection(FakeClockCollection.Name)]
public sealed class AccountDefenceTests(FakeClockClusterFixture fixture)
{
    private const string Password = "Defence-Password-1";
    private IGrainFactory Grains => fixture.Client;

    private async Task<UserView> UserAsync(string password = Password)
    {
        var name = $"ad-{Guid.NewGuid():N}"[..20];
        return await Grains.ForName(name).CreateUserAsync(new NewUser(name, password, false, [], "tests"));
    }

    private Task<LoginOutcome> LoginAsync(string name, string password, string? code = null) =>
        Grains.ForName(name).LoginAsync(new LoginAttempt(password, code, "192.0.2.7", LoginChannel.ThinClient, Guid.NewGuid()));

    private async Task<LoginOutcome> FailTimesAsync(string name, int times, string? password = null, string? code = null)
    {
        LoginOutcome last = LoginOutcome.Failed;
        for (var i = 0; i < times; i++)
        {
            last = await LoginAsync(name, password ?? "not-the-password", code);
        }

        return last;
    }

    [Fact]
    public async Task Five_failures_lock_the_account_and_each_further_lockout_lasts_twice_as_long()
    {
        var user = await UserAsync();
        Assert.Equal(LoginResult.Failed, (await FailTimesAsync(user.Username, 4)).Result);
        var locked = await LoginAsync(user.Username, "not-the-password");
        Assert.Equal((LoginResult.LockedOut, TimeSpan.FromMinutes(1)), (locked.Result, locked.RetryAfter));

        // while locked even the right password is refused (and not checked)
        Assert.Equal(LoginResult.LockedOut, (await LoginAsync(user.Username, Password)).Result);
        Assert.NotNull((await Grains.GetGrain<IUserGrain>(user.Id).GetAsync())!.LockedUntil);

        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        var second = await FailTimesAsync(user.Username, 5);
        Assert.Equal((LoginResult.LockedOut, TimeSpan.FromMinutes(2)), (second.Result, second.RetryAfter));
        fixture.Clock.Advance(TimeSpan.FromSeconds(121));
        var third = await FailTimesAsync(user.Username, 5);
        Assert.Equal((LoginResult.LockedOut, TimeSpan.FromMinutes(4)), (third.Result, third.RetryAfter));
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));

        // a successful login forgets it all: the next lockout is a minute again
        Assert.Equal(LoginResult.Success, (await LoginAsync(user.Username, Password)).Result);
        var fresh = await FailTimesAsync(user.Username, 5);
        Assert.Equal(TimeSpan.FromMinutes(1), fresh.RetryAfter);

        var journal = await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @id and message like '%has been locked out%' and client_address = '192.0.2.7'", ("id", user.Id));
        Assert.Equal(4, journal);
    }

    [Fact]
    public void A_lockout_never_grows_past_the_longest()
    {
        var options = new LockoutOptions { Threshold = 1, First = TimeSpan.FromMinutes(1), Longest = TimeSpan.FromMinutes(10) };
        var state = new LockoutState();
        var now = DateTimeOffset.UnixEpoch;
        var lengths = Enumerable.Range(0, 8).Select(_ => state.Fail(now, options)!.Value.TotalMinutes).ToList();
        Assert.Equal([1, 2, 4, 8, 10, 10, 10, 10], lengths);
        state.Clear();
        Assert.Equal(TimeSpan.Zero, state.RemainingAt(now));
    }

    [Fact]
    public async Task A_security_administrators_unlock_lets_the_right_password_in_at_once()
    {
        var user = await UserAsync();
        await FailTimesAsync(user.Username, 5);
        Assert.Equal(LoginResult.LockedOut, (await LoginAsync(user.Username, Password)).Result);
        await Grains.GetGrain<IUserGrain>(user.Id).UnlockAsync("secadmin");
        Assert.Equal(LoginResult.Success, (await LoginAsync(user.Username, Password)).Result);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @id and message like '%has been unlocked%' and username = 'secadmin'", ("id", user.Id)));
    }

    [Fact]
    public async Task A_name_nobody_holds_is_locked_out_after_as_many_failures_with_the_same_answer()
    {
        var name = $"nobody-{Guid.NewGuid():N}";
        Assert.Equal(LoginResult.Failed, (await FailTimesAsync(name, 4)).Result);
        var locked = await LoginAsync(name, "whatever-it-is");
        Assert.Equal((LoginResult.LockedOut, TimeSpan.FromMinutes(1)), (locked.Result, locked.RetryAfter));
    }

    [Fact]
    public async Task Wrong_one_time_passwords_count_towards_the_lockout()
    {
        var user = await UserAsync();
        var grain = Grains.GetGrain<IUserGrain>(user.Id);
        var secret = (await grain.GenerateTotpSecretAsync()).Secret;
        await grain.SetTwoFactorAsync(true, Code(secret));
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(LoginResult.Failed, (await FailTimesAsync(user.Username, 4, Password, "000000")).Result);
        Assert.Equal(LoginResult.LockedOut, (await LoginAsync(user.Username, Password, "000001")).Result);
        fixture.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(LoginResult.Success, (await LoginAsync(user.Username, Password, Code(secret))).Result);
    }

    [Fact]
    public async Task Two_factor_enrolment_is_confirmed_by_a_code_and_then_changed_only_with_a_current_one()
    {
        var user = await UserAsync();
        var grain = Grains.GetGrain<IUserGrain>(user.Id);

        // on without a code (as VeiL Connect enables it): not confirmed yet, so it may be redone or turned off freely
        var first = (await grain.GenerateTotpSecretAsync()).Secret;
        Assert.True((await grain.SetTwoFactorAsync(true)).TwoFactor);
        var second = (await grain.GenerateTotpSecretAsync()).Secret;
        Assert.NotEqual(first, second);
        Assert.False((await grain.SetTwoFactorAsync(false)).TwoFactor);

        // a wrong code does not enable it
        var secret = (await grain.GenerateTotpSecretAsync()).Secret;
        var wrong = await Assert.ThrowsAsync<BrokerException>(() => grain.SetTwoFactorAsync(true, "000000"));
        Assert.Equal("code", wrong.Field);
        Assert.False((await grain.GetAsync())!.TwoFactor);

        // enabled without a code, confirmed by the first login's code
        await grain.SetTwoFactorAsync(true);
        Assert.Equal(LoginResult.Success, (await LoginAsync(user.Username, Password, Code(secret))).Result);
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));

        // now a stolen token can neither turn it off nor move it to another phone
        Assert.Equal("code", (await Assert.ThrowsAsync<BrokerException>(() => grain.SetTwoFactorAsync(false))).Field);
        Assert.Equal("code", (await Assert.ThrowsAsync<BrokerException>(() => grain.GenerateTotpSecretAsync())).Field);
        Assert.Equal("code", (await Assert.ThrowsAsync<BrokerException>(() => grain.GenerateTotpSecretAsync("123456"))).Field);
        var replaced = (await grain.GenerateTotpSecretAsync(Code(secret))).Secret;
        Assert.NotEqual(secret, replaced);
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        await grain.SetTwoFactorAsync(true, Code(replaced));
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False((await grain.SetTwoFactorAsync(false, Code(replaced))).TwoFactor);

        var events = await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @id and message like '%wo-factor authentication%'", ("id", user.Id));
        Assert.True(events >= 6, $"{events} 2FA events journalled");
    }

    [Fact]
    public async Task An_expired_password_is_said_only_after_the_right_password_and_a_new_one_lifts_it()
    {
        var settings = Grains.GetGrain<ISettingsGrain>(0);
        await settings.UpdateAsync(new BrokerSettingsChanges(PasswordExpirationDays: 30), "tests");
        try
        {
            var user = await UserAsync();
            Assert.Equal(fixture.Clock.GetUtcNow().AddDays(30), (await Grains.GetGrain<IUserGrain>(user.Id).GetAsync())!.PasswordExpires);
            fixture.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));

            Assert.Equal(LoginResult.Failed, (await LoginAsync(user.Username, "not-the-password")).Result); // a guesser learns nothing
            Assert.Equal(LoginResult.PasswordExpired, (await LoginAsync(user.Username, Password)).Result);

            await Grains.GetGrain<IUserGrain>(user.Id).UpdateAsync(new UserChanges { Password = "Renewed-Password-2" }, "secadmin");
            Assert.Equal(LoginResult.Success, (await LoginAsync(user.Username, "Renewed-Password-2")).Result);
            Assert.Equal(1L, await TestDb.ScalarAsync<long>(
                "select count(*) from vdi_journal where entity_id = @id and message = @m", ("id", user.Id), ("m", $"The password for user {user.Username} has expired.")));
        }
        finally
        {
            await settings.UpdateAsync(new BrokerSettingsChanges(PasswordExpirationDays: 0), "tests");
        }
    }

    [Fact]
    public async Task A_new_password_may_not_repeat_the_last_ones()
    {
        var user = await UserAsync("History-Password-0");
        var grain = Grains.GetGrain<IUserGrain>(user.Id);
        await Grains.GetGrain<ISettingsGrain>(0).UpdateAsync(new BrokerSettingsChanges(PasswordHistory: 2), "tests");
        try
        {
            await grain.UpdateAsync(new UserChanges { Password = "History-Password-1" }, "tests");
            await grain.UpdateAsync(new UserChanges { Password = "History-Password-2" }, "tests");
            foreach (var reused in new[] { "History-Password-2", "History-Password-1", "History-Password-0" })
            {
                var e = await Assert.ThrowsAsync<BrokerException>(() => grain.UpdateAsync(new UserChanges { Password = reused }, "tests"));
                Assert.Equal("password", e.Field);
            }

            await grain.UpdateAsync(new UserChanges { Password = "History-Password-3" }, "tests");
            // three changes later the first is out of the remembered two
            await grain.UpdateAsync(new UserChanges { Password = "History-Password-0" }, "tests");
            Assert.Equal(LoginResult.Success, (await LoginAsync(user.Username, "History-Password-0")).Result);
        }
        finally
        {
            await Grains.GetGrain<ISettingsGrain>(0).UpdateAsync(new BrokerSettingsChanges(PasswordHistory: BrokerSettings.DefaultPasswordHistory), "tests");
        }
    }

    [Fact]
    public async Task A_login_and_a_failed_login_are_journalled_with_the_clients_address()
    {
        var user = await UserAsync();
        await LoginAsync(user.Username, "not-the-password");
        await LoginAsync(user.Username, Password);
        var rows = await TestDb.ScalarAsync<long>("""
            select count(*) from vdi_journal where entity_id = @id and client_address = '192.0.2.7'
              and (message = @ok and description like 'Auth type: Local, IP: 192.0.2.7, Client type: thin-client%'
                   or message = @failed and description like '%Reason: wrong password.%')
            """, ("id", user.Id), ("ok", $"User {user.Username} has been logged in."), ("failed", $"Authentication failed for user: {user.Username}."));
        Assert.Equal(2, rows);
    }

    private string Code(string secret) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(fixture.Clock.GetUtcNow().UtcDateTime);
}
