using System.Net;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Gateway;

/// <summary>The Orleans dashboard sits behind the broker's own accounts: seeded administrator in, others out.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class DashboardAccessTests(LiveSystemFixture system)
{
    private HttpClient NewBrowser() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
    {
        BaseAddress = system.SiloUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static FormUrlEncodedContent Login(string username, string password) => new(new Dictionary<string, string>
    {
        ["username"] = username,
        ["password"] = password,
        ["returnUrl"] = "/dashboard/",
    });

    [Fact]
    public async Task Anonymous_requests_are_sent_to_the_login_page()
    {
        using var browser = NewBrowser();
        foreach (var path in new[] { "/dashboard/", "/dashboard/ClusterStats" })
        {
            var response = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task Seeded_administrator_signs_in_and_reads_the_dashboard()
    {
        using var browser = NewBrowser();
        var login = await browser.PostAsync("/login", Login(system.AdminUsername, system.AdminPassword));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/dashboard/", login.Headers.Location!.OriginalString);

        var page = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Orleans Dashboard", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Wrong_password_is_refused()
    {
        using var browser = NewBrowser();
        var login = await browser.PostAsync("/login", Login(system.AdminUsername, system.AdminPassword + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("Wrong username, password or one-time password.", await login.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task A_user_without_the_administrator_role_is_refused()
    {
        var name = $"op-{Guid.NewGuid():N}";
        await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, "operator-pw", false, [Role.Operator], "tests"));

        using var browser = NewBrowser();
        var login = await browser.PostAsync("/login", Login(name, "operator-pw"));
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/dashboard/")).StatusCode);
    }

    [Fact]
    public async Task A_signed_in_operator_who_is_deactivated_is_out_at_the_cookies_next_check()
    {
        var name = $"adm-{Guid.NewGuid():N}";
        var user = await system.Grains.ForName(name).CreateUserAsync(new NewUser(name, "administrator-pw", false, [Role.Administrator], "tests"));
        using var browser = NewBrowser();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/login", Login(name, "administrator-pw"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/")).StatusCode);

        await system.Grains.GetGrain<IUserGrain>(user.Id).UpdateAsync(new UserChanges { IsActive = false }, "tests");
        var after = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode); // back to the sign-in: the cookie no longer holds
        Assert.StartsWith("/login", after.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Sign_ins_beyond_the_limit_for_one_username_get_429_with_retry_after()
    {
        var name = $"spray-{Guid.NewGuid():N}";
        using var browser = NewBrowser();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/login", Login(name, "guess-password"))).StatusCode);
        }

        var refused = await browser.PostAsync("/login", Login(name, "guess-password"));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("Too many sign-ins", await refused.Content.ReadAsStringAsync());
    }
}
