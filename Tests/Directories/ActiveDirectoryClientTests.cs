using Vdi.Grains.Directories;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Directories;

/// <summary>
/// Issue 15: Active Directory semantics against a real domain controller (Samba's AD DC, provisioned by
/// scripts/test.sh on loopback): sAMAccountName, DOMAIN\user and UPNs (one of another suffix), nested groups through
/// LDAP_MATCHING_RULE_IN_CHAIN, a disabled account refused only once its password is right, and OpenLDAP's
/// password-policy lock.
/// </summary>
public sealed class ActiveDirectoryClientTests
{
    private static readonly LdapDirectoryClient Client = new();

    internal static DirectoryConnection Ad(string? servicePassword = null)
    {
        var ad = TestServices.Ad;
        var url = new Uri(ad.Url);
        return new DirectoryConnection(DirectoryKind.ActiveDirectory, [$"{url.Host}:{url.Port}"], DirectorySecurity.None, ad.BaseDn, ad.ServiceDn,
            servicePassword ?? ad.ServicePassword, null, Timeout: TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("ad-carol")]
    [InlineData("VDIAD\\ad-carol")]
    [InlineData("ad-carol@ad.vdi.test")]
    public async Task Each_username_form_finds_the_account_and_nested_groups_are_resolved(string typed)
    {
        var ok = await Client.AuthenticateAsync(Ad(), typed, TestServices.Ad.UserPassword);
        Assert.True(ok.Ok, ok.Detail);
        Assert.Equal(("CN=ad-carol,CN=Users,DC=ad,DC=vdi,DC=test", "ad-carol"), (ok.User!.Dn, ok.User.Account));
        // vdi-staff directly, vdi-desktop-users because vdi-staff is one of its members (memberOf alone lists only the first)
        Assert.Equal(["vdi-desktop-users", "vdi-staff"], ok.User.Groups.Order(StringComparer.Ordinal));
        Assert.Equal(DirectoryOutcome.WrongCredentials, (await Client.AuthenticateAsync(Ad(), typed, "Wrong-Pass-1")).Outcome);
    }

    [Fact]
    public async Task A_upn_of_another_suffix_is_the_same_account()
    {
        var dave = await Client.AuthenticateAsync(Ad(), "dave@corp.vdi.test", TestServices.Ad.UserPassword);
        Assert.True(dave.Ok, dave.Detail);
        Assert.Equal("ad-dave", dave.User!.Account);
        Assert.Empty(dave.User.Groups);
    }

    [Fact]
    public async Task A_disabled_account_is_refused_as_disabled_only_when_its_password_is_right()
    {
        var right = await Client.AuthenticateAsync(Ad(), "ad-erin", TestServices.Ad.UserPassword);
        Assert.Equal(DirectoryOutcome.Disabled, right.Outcome);
        Assert.Contains("is disabled", right.Detail);
        // a wrong password is just wrong: a guesser does not learn the account's state
        Assert.Equal(DirectoryOutcome.WrongCredentials, (await Client.AuthenticateAsync(Ad(), "ad-erin", "Wrong-Pass-1")).Outcome);
    }

    [Fact]
    public async Task An_openldap_account_locked_by_the_password_policy_cannot_log_in()
    {
        var ldap = TestServices.Ldap;
        var url = new Uri(ldap.Url);
        var directory = new DirectoryConnection(DirectoryKind.OpenLdap, [$"{url.Host}:{url.Port}"], DirectorySecurity.None, ldap.BaseDn, ldap.ServiceDn,
            ldap.ServicePassword, null, Timeout: TimeSpan.FromSeconds(5));
        var dan = await Client.AuthenticateAsync(directory, "ldap-dan", ldap.UserPassword);
        Assert.Equal(DirectoryOutcome.WrongCredentials, dan.Outcome); // slapd's ppolicy refuses the bind whatever the password
        Assert.Contains("locked or disabled", dan.Detail);
    }

    [Fact]
    public async Task Test_connection_and_the_service_account_against_active_directory()
    {
        Assert.True((await Client.TestAsync(Ad())).Ok);
        Assert.Equal(DirectoryOutcome.BadServiceCredentials, (await Client.TestAsync(Ad("Wrong-Pass-1"))).Outcome);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("ad-*")]
    [InlineData("ad-carol)(sAMAccountName=*")]
    [InlineData("*)(|(objectClass=*")]
    [InlineData("ad-carol\\")]
    [InlineData("ad-carol\0")]
    public async Task A_filter_in_the_username_matches_nobody_in_active_directory(string typed)
    {
        Assert.Equal(DirectoryOutcome.WrongCredentials, (await Client.AuthenticateAsync(Ad(), typed, TestServices.Ad.UserPassword)).Outcome);
    }

    [Theory]
    [InlineData("80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 533, v1db1", DirectoryOutcome.Disabled)]
    [InlineData("80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 775, v3839", DirectoryOutcome.Disabled)]
    [InlineData("80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 773, v3839", DirectoryOutcome.PasswordExpired)]
    public void Active_directory_bind_codes_name_the_reason(string message, DirectoryOutcome outcome)
    {
        Assert.Equal(outcome, LdapDirectoryClient.ActiveDirectoryRefusal(message)?.Outcome);
        Assert.Null(LdapDirectoryClient.ActiveDirectoryRefusal("80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1"));
        Assert.Null(LdapDirectoryClient.ActiveDirectoryRefusal(null));
    }
}
