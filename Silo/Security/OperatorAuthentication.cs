using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Users;
using Vdi.Shared.Security;

namespace Vdi.Silo.Security;

/// <summary>
/// Cookie sign-in for the Orleans dashboard on the silo's own port. Only superusers and ADMINISTRATORs get in; the
/// login is the broker's (password, the one-time code of a 2FA account, the lockout, the journal), rate limited per
/// address and username like the gateways' <c>/auth/</c>. The cookie re-checks the account every
/// <c>Silo:DashboardRecheck</c> (2 minutes): a deactivated or demoted operator is out within minutes, not at the cookie's expiry.
/// </summary>
public static class OperatorAuthentication
{
    public const string DashboardPolicy = "ClusterDashboard";
    private const string SuperuserRole = "SUPERUSER";
    private const string CheckedAt = "vdi-checked";


    public static IServiceCollection AddOperatorAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.Cookie.Name = "vdi-silo";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the silo is reached over TLS
                o.Events.OnValidatePrincipal = RecheckAsync;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            });
        services.AddSingleton(sp =>
        {
            var silo = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Options.SiloHostOptions>>().Value;
            return new LoginThrottle(silo.DashboardLoginsPerMinutePerAddress, silo.DashboardLoginsPerMinutePerUsername);
        });
        services.AddAuthorizationBuilder().AddPolicy(DashboardPolicy, p => p.RequireAuthenticatedUser()
            .RequireRole(SuperuserRole, Role.Administrator.ToWire()));
        return services;
    }

    public static IEndpointRouteBuilder MapOperatorLogin(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (string? returnUrl) => LoginPage.Render(returnUrl, error: null)).AllowAnonymous();
        app.MapPost("/login", SignInAsync).AllowAnonymous();
        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        });
        return app;
    }

    /// <summary>
    /// Reads the operator's account again when the last check is older than <c>Silo:DashboardRecheck</c>: gone, inactive
    /// or no longer an administrator ends the session. An account that cannot be read now (a database outage) keeps
    /// its session: an outage is not a reason to throw operators out when they need the dashboard most.
    /// </summary>
    private static async Task RecheckAsync(CookieValidatePrincipalContext context)
    {
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        if (context.Properties.Items.TryGetValue(CheckedAt, out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var last)
            && now - last < context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Options.SiloHostOptions>>().Value.DashboardRecheck)
        {
            return;
        }

        if (!Guid.TryParse(context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            context.RejectPrincipal();
            return;
        }

        CurrentAccess? access;
        try
        {
            access = await context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(id).GetStandingAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // checked again at the next request
        }

        if (access is null || !(access.IsSuperuser || access.Roles.Contains(Role.Administrator) || access.GroupRoles.Contains(Role.Administrator.ToWire())))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        context.Properties.Items[CheckedAt] = now.ToString("O", CultureInfo.InvariantCulture);
        context.ShouldRenew = true;
    }

    private static async Task<IResult> SignInAsync(HttpContext http, IGrainFactory grains, LoginThrottle throttle)
    {
        var form = await http.Request.ReadFormAsync();
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        var code = form["code"].ToString();
        var returnUrl = form["returnUrl"].ToString();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "";

        if (throttle.Check(address, username) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return LoginPage.Render(returnUrl, "Too many sign-ins. Try again in a minute.", StatusCodes.Status429TooManyRequests);
        }

        var outcome = LoginOutcome.Failed;
        if (username.Length is > 0 and <= Usernames.MaxLength && password.Length is > 0 and <= Shared.Settings.PasswordPolicy.MaxLength)
        {
            AuditContext.ClientAddress = address;
            outcome = await grains.ForName(username).LoginAsync(
                new LoginAttempt(password, code.Length == 0 ? null : code, address, LoginChannel.Dashboard), http.RequestAborted);
        }

        if (outcome.Result == LoginResult.LockedOut)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(outcome.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return LoginPage.Render(returnUrl, "Too many failed sign-ins: the account is locked for a while.", StatusCodes.Status401Unauthorized);
        }

        if (outcome.Result == LoginResult.PasswordExpired)
        {
            return LoginPage.Render(returnUrl, "The password has expired: an administrator sets a new one.", StatusCodes.Status401Unauthorized);
        }

        if (outcome is not { Result: LoginResult.Success, User: { } user })
        {
            return LoginPage.Render(returnUrl, "Wrong username, password or one-time password.", StatusCodes.Status401Unauthorized);
        }

        if (!user.HasRole(Role.Administrator))
        {
            return LoginPage.Render(returnUrl, "This account may not open the cluster dashboard.", StatusCodes.Status403Forbidden);
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, user.Username),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(ClaimTypes.Role, r.ToWire())));
        if (user.IsSuperuser)
        {
            claims.Add(new Claim(ClaimTypes.Role, SuperuserRole));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
        var properties = new AuthenticationProperties();
        properties.Items[CheckedAt] = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, properties);
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/dashboard/");
    }

    /// <summary>
    /// A path on this silo, nothing else: one leading slash, not followed by another slash or a backslash, and no
    /// control character or white space anywhere (browsers drop a tab or a newline, so <c>/\t/evil.example/</c> would
    /// become <c>//evil.example/</c>, another site).
    /// </summary>
    public static bool IsLocal(string url) =>
        url.Length > 0 && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'))
        && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c));
}
