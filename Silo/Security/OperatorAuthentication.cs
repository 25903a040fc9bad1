using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.Silo.Security;

/// <summary>
/// Cookie sign-in for the Orleans dashboard on the silo's own port. Only superusers and ADMINISTRATORs get in;
/// the password is checked once by the user's grain, then the cookie carries the session.
/// </summary>
public static class OperatorAuthentication
{
    public const string DashboardPolicy = "ClusterDashboard";
    private const string SuperuserRole = "SUPERUSER";

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
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
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

    private static async Task<IResult> SignInAsync(HttpContext http, IGrainFactory grains)
    {
        var form = await http.Request.ReadFormAsync();
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        var returnUrl = form["returnUrl"].ToString();

        UserView? user = null;
        if (username.Length is > 0 and <= Usernames.MaxLength && password.Length > 0)
        {
            user = await grains.ForName(username).CheckPasswordAsync(password, http.RequestAborted);
        }

        if (user is null)
        {
            return LoginPage.Render(returnUrl, "Wrong username or password.", StatusCodes.Status401Unauthorized);
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
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
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
