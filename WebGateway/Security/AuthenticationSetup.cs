using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Vdi.WebGateway.Hosting;

namespace Vdi.WebGateway.Security;

public static class AuthenticationSetup
{
    /// <summary>
    /// JWT bearer authentication accepting the original's <c>Authorization: JWT &lt;token&gt;</c> (any case) as well as
    /// <c>Bearer</c>, and role policies for the admin API.
    /// </summary>
    public static IServiceCollection AddBrokerAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<ValidatedTokens>();
        services.AddMemoryCache(o => o.SizeLimit = 200_000); // the validated tokens: one entry per user signed in lately
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async ctx =>
                    {
                        // one valid token per user: a newer login anywhere replaces this one
                        var services = ctx.HttpContext.RequestServices;
                        try
                        {
                            if (!await services.GetRequiredService<ValidatedTokens>().IsCurrentAsync(ctx.Principal, services.GetRequiredService<IClusterClient>()))
                            {
                                ctx.Fail("Token invalid.");
                            }
                        }
                        catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
                        {
                            // not a verdict on the token: the challenge answers 503 instead of 401
                            ctx.HttpContext.Items[CouldNotCheck] = true;
                            ctx.Fail(e);
                        }
                    },
                    OnChallenge = async ctx =>
                    {
                        if (ctx.HttpContext.Items.ContainsKey(CouldNotCheck))
                        {
                            ctx.HandleResponse();
                            await DependencyFailures.WriteAsync(ctx.HttpContext, ctx.HttpContext.RequestAborted);
                            return;
                        }

                        if (ctx.Request.Path.StartsWithSegments("/api/admin"))
                        {
                            return;
                        }

                        // the thin client reads the original's envelope and re-logs in on these messages
                        ctx.HandleResponse();
                        var message = ctx.AuthenticateFailure is SecurityTokenExpiredException ? "Token expired." : "Token invalid.";
                        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        await ctx.Response.WriteAsJsonAsync(new { errors = new[] { new { message } } });
                    },
                    OnMessageReceived = async ctx =>
                    {
                        var header = ctx.Request.Headers.Authorization.ToString();
                        var parts = header.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        if (parts.Length == 2 && parts[0].Equals("jwt", StringComparison.OrdinalIgnoreCase))
                        {
                            ctx.Token = parts[1];
                        }

                        if (ctx.Token is null)
                        {
                            return;
                        }

                        // the signing keys are loaded (or a key another gateway rotated to is fetched) here, awaited,
                        // so the validator's synchronous resolver never waits on a blocked thread
                        try
                        {
                            await ctx.HttpContext.RequestServices.GetRequiredService<SigningKeys>().EnsureKnownAsync(ctx.Token);
                        }
                        catch (Exception e) when (DependencyFailures.IsDependencyFailure(e))
                        {
                            ctx.HttpContext.Items[CouldNotCheck] = true;
                            ctx.Fail(e);
                        }
                    },
                };
            });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeys>((o, keys) => o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = TokenIssuer.Issuer,
                ValidAudience = TokenIssuer.Issuer,
                IssuerSigningKeyResolver = (_, _, _, _) => keys.Resolve(),
                NameClaimType = ClaimTypes.Name,
                RoleClaimType = ClaimTypes.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256], // pinned: the issuer's only algorithm, never "none" or another
            });
        services.AddAuthorizationBuilder()
            // closed by default: an endpoint that says nothing needs a signed-in user (login, version, settings, the
            // sockets, which check their token themselves, and health say AllowAnonymous explicitly)
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.AdministratorPolicy, p => p.RequireRole(Roles.Administrator, Roles.Superuser))
            .AddPolicy(Roles.SecurityAdministratorPolicy, p => p.RequireRole(Roles.SecurityAdministrator, Roles.Superuser))
            .AddPolicy(Roles.OperatorPolicy, p => p.RequireRole(Roles.Operator, Roles.Administrator, Roles.SecurityAdministrator, Roles.Superuser));
        return services;
    }

    /// <summary>Marks a request whose token could not be checked because the cluster or the database did not answer.</summary>
    private const string CouldNotCheck = "vdi.token-not-checked";

    /// <summary>The user name for journals and task records.</summary>
    public static string UserName(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
