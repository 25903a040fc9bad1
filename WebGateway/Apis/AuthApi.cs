using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Interfaces.Users;
using Vdi.Shared.Settings;
using Vdi.WebGateway.Hosting;
using Vdi.WebGateway.Security;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Apis;

/// <summary>
/// Login, logout, version and settings as VeiL Connect calls them (with and without the <c>/api</c> prefix; routing
/// ignores a trailing slash, so <c>/auth/</c> works too). A wrong password is HTTP 200 with <c>errors</c>, as the
/// original answers; an old client or a full license is 403.
/// </summary>
public static class AuthApi
{
    public sealed record LoginRequest(string? Username, string? Password, string? Code, bool? Ldap, string? VeilConnectVersion);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api", "" })
        {
            app.MapPost($"{prefix}/auth", LoginAsync).AllowAnonymous();
            app.MapPost($"{prefix}/logout", LogoutAsync).RequireAuthorization();
            app.MapGet($"{prefix}/sso", SsoAsync).AllowAnonymous();
            app.MapGet($"{prefix}/version", (IOptions<BrokerOptions> o, TimeProvider time) => Envelope.Data(new
            {
                version = o.Value.Version,
                year = time.GetUtcNow().Year.ToString(CultureInfo.InvariantCulture),
                url = "https://github.com/",
                copyright = "VDI broker on Orleans",
            })).AllowAnonymous();
            app.MapGet($"{prefix}/settings", async (IOptions<BrokerOptions> o, Admin.AdminQueries queries, KerberosSso sso) => Envelope.Data(new
            {
                language = o.Value.Language,
                broker_name = o.Value.Name,
                sso = sso.Enabled,
                ldap = await queries.LoginDirectoryDomainAsync(), // the original: the directory's domain, "" without one
            })).AllowAnonymous();
        }

        return app;
    }

    private static async Task<IResult> LoginAsync(LoginRequest? request, HttpRequest http, IClusterClient cluster, TokenIssuer tokens,
        ThinClientDirectory sessions, IOptions<BrokerOptions> options, SettingsCache settings, Vdi.Shared.Security.LoginThrottle throttle,
        TrustedDomainNames trustedDomains, GatewayMetrics metrics)
    {
        var thinClient = http.Headers.UserAgent.ToString().Contains("thin-client", StringComparison.OrdinalIgnoreCase);
        var channel = thinClient ? "thin_client" : "web";
        var username = request?.Username?.Trim() ?? "";
        var password = request?.Password ?? "";
        if (username.Length < 2 || password.Length < 2)
        {
            metrics.Login(channel, "invalid_input");
            return Envelope.Error("Username and password must be at least 2 characters.");
        }

        // the client's version and the licence's limit first: a refusal for them says nothing about the password
        if (thinClient)
        {
            var minimum = System.Version.Parse(options.Value.MinimumClientVersion);
            if (!System.Version.TryParse(request?.VeilConnectVersion, out var version) || version < minimum)
            {
                metrics.Login(channel, "client_too_old");
                return Envelope.Error($"Your VeiL Connect {request?.VeilConnectVersion} is too old; {minimum} or newer is required.",
                    status: StatusCodes.Status403Forbidden);
            }

            var limit = (await settings.GetAsync()).ThinClientLimit;
            if (limit > 0 && await sessions.ActiveCountAsync() >= limit)
            {
                metrics.Login(channel, "thin_client_limit");
                return Envelope.Error("Thin client limit exceeded.", "001", StatusCodes.Status403Forbidden);
            }
        }

        // an over-long name or password is refused before anything is hashed
        if (username.Length > Usernames.MaxLength || password.Length > PasswordPolicy.MaxLength)
        {
            metrics.Login(channel, "invalid_input");
            return Envelope.Error($"Authentication failed for user: {username[..Math.Min(username.Length, Usernames.MaxLength)]}.");
        }

        // "ldap": true - the directory checks the password; the broker's name is the account part of DOMAIN\user or user@domain
        // (a trusted domain's user is account@dns-name)
        var directory = request?.Ldap == true;
        var brokerName = directory ? await trustedDomains.BrokerNameAsync(username) : username;
        if (brokerName.Length == 0)
        {
            metrics.Login(channel, "unknown_domain");
            return Envelope.Error($"Authentication failed for user: {username}.");
        }

        // limited by the account, not by how it was typed: DOMAIN\user and user@domain are one name to a guesser
        var address = ThinClientSocket.ClientIp(http.HttpContext);
        if (throttle.Check(address, brokerName) is { } wait)
        {
            metrics.Login(channel, "throttled");
            return TryLater($"Too many logins. Try again in {Seconds(wait)} s.", wait, StatusCodes.Status429TooManyRequests);
        }

        var tokenId = Guid.NewGuid();
        var outcome = await cluster.ForName(brokerName).LoginAsync(
            new LoginAttempt(password, request?.Code, address, thinClient ? LoginChannel.ThinClient : LoginChannel.Web, tokenId, directory, directory ? username : null),
            http.HttpContext.RequestAborted);
        metrics.Login(channel, GatewayMetrics.Name(outcome.Result.ToString()));
        return await AnswerAsync(outcome, username, tokenId, tokens);
    }

    /// <summary>The answer to a login, the same for a password and a Kerberos ticket: the token, or the original's refusal.</summary>
    private static async Task<IResult> AnswerAsync(LoginOutcome outcome, string username, Guid tokenId, TokenIssuer tokens)
    {
        switch (outcome.Result)
        {
            case LoginResult.LockedOut:
                return TryLater($"Authentication failed for user: {username}. Too many failed attempts: try again in {Seconds(outcome.RetryAfter)} s.",
                    outcome.RetryAfter, StatusCodes.Status200OK);
            case LoginResult.PasswordExpired:
                return Envelope.Error($"The password for user {username} has expired.");
            case LoginResult.AccountDisabled:
                // the original's words (sic); said only once the directory has accepted the password
                return Envelope.Error($"User {username} is deactivate.");
            case LoginResult.DirectoryUnavailable:
                return Envelope.Error($"Authentication failed for user: {username}. The directory is unreachable; try again later or log in without it.");
            case LoginResult.Success when outcome.User is not null:
                break;
            default:
                // a wrong password and a wrong one-time password are one answer: it never tells a guesser that the password was right
                return Envelope.Error($"Authentication failed for user: {username}.");
        }

        var user = outcome.User;
        var (token, expires) = await tokens.SignAsync(user, tokenId);
        return Envelope.Data(new
        {
            access_token = token,
            expires_on = expires.UtcDateTime.ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " UTC",
            username = user.Username,
            domain = outcome.Domain.Length > 0 ? outcome.Domain : null,
        });
    }

    /// <summary>
    /// Kerberos single sign-on (the original's <c>GET /sso/</c>): without a ticket, 401 with <c>WWW-Authenticate:
    /// Negotiate</c>; with one the gateway verifies it against its keytab, the directory finds the account by the
    /// service account (no password), and the answer is the same token as <c>/auth/</c>'s. Lockout, deactivation,
    /// two-factor (<c>?code=</c>), the rate limits and the journal apply as to any login.
    /// </summary>
    private static async Task<IResult> SsoAsync(HttpRequest http, KerberosSso sso, IClusterClient cluster, TokenIssuer tokens,
        Vdi.Shared.Security.LoginThrottle throttle, GatewayMetrics metrics)
    {
        if (!sso.Enabled)
        {
            return Envelope.Error("Single sign-on is not enabled on this broker.", status: StatusCodes.Status404NotFound);
        }

        var header = http.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return new NegotiateResult(Envelope.Error("Kerberos authentication is required.", status: StatusCodes.Status401Unauthorized), null);
        }

        var accepted = sso.Accept(header);
        if (accepted.Principal is not { } principal)
        {
            metrics.Login("sso", "ticket_refused");
            return new NegotiateResult(Envelope.Error($"Kerberos authentication failed: {accepted.Error}.", status: StatusCodes.Status401Unauthorized), null);
        }

        var account = principal[..principal.LastIndexOf('@')];
        var address = ThinClientSocket.ClientIp(http.HttpContext);
        if (throttle.Check(address, account) is { } wait)
        {
            metrics.Login("sso", "throttled");
            return TryLater($"Too many logins. Try again in {Seconds(wait)} s.", wait, StatusCodes.Status429TooManyRequests);
        }

        var tokenId = Guid.NewGuid();
        var thinClient = http.Headers.UserAgent.ToString().Contains("thin-client", StringComparison.OrdinalIgnoreCase);
        var code = http.Query["code"].ToString();
        var outcome = await cluster.ForName(account).LoginAsync(
            new LoginAttempt("", code.Length is > 0 and <= 16 ? code : null, address, thinClient ? LoginChannel.ThinClient : LoginChannel.Web, tokenId,
                Directory: true, Typed: principal, Kerberos: true), http.HttpContext.RequestAborted);
        metrics.Login("sso", GatewayMetrics.Name(outcome.Result.ToString()));
        return new NegotiateResult(await AnswerAsync(outcome, account, tokenId, tokens), accepted.ReplyToken);
    }

    /// <summary>An answer with the Negotiate header: the challenge (no token yet) or the server's reply token (mutual authentication).</summary>
    private sealed class NegotiateResult(IResult inner, string? reply) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.WWWAuthenticate = reply is null ? "Negotiate" : $"Negotiate {reply}";
            return inner.ExecuteAsync(http);
        }
    }

    private static string Seconds(TimeSpan wait) => Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>A refusal that says when to come back, in the envelope VeiL Connect shows and in <c>Retry-After</c>.</summary>
    private static IResult TryLater(string message, TimeSpan wait, int status) => new RetryAfterResult(Envelope.Error(message, status: status), Seconds(wait));

    private sealed class RetryAfterResult(IResult inner, string seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = seconds;
            return inner.ExecuteAsync(http);
        }
    }

    private static async Task<IResult> LogoutAsync(ClaimsPrincipal user, IClusterClient cluster)
    {
        if (user.UserId() is { } id)
        {
            await cluster.GetGrain<IUserGrain>(id).LogoutAsync();
        }

        return Envelope.Data("success");
    }
}
