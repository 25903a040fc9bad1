using System.Globalization;
using Vdi.Grains.Interfaces.Users;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis;

/// <summary>
/// <c>POST /auth/</c> as VeiL Connect and the admin panel call it: <c>{"data":{"access_token","expires_on","username","domain"}}</c>
/// on success, HTTP 200 with <c>{"errors":[{"message"}]}</c> on a wrong password, as the original answers.
/// </summary>
public static class AuthApi
{
    public sealed record LoginRequest(string? Username, string? Password, string? Code, bool? Ldap, string? VeilConnectVersion);

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        // routing ignores a trailing slash, so these also answer /api/auth/ and /auth/ (the client calls /auth/)
        app.MapPost("/api/auth", LoginAsync).AllowAnonymous();
        app.MapPost("/auth", LoginAsync).AllowAnonymous();

        return app;
    }

    private static async Task<IResult> LoginAsync(LoginRequest? request, IClusterClient cluster, TokenIssuer tokens)
    {
        var username = request?.Username?.Trim() ?? "";
        var password = request?.Password ?? "";
        if (username.Length < 2 || password.Length < 2)
        {
            return Envelope.Error("Username and password must be at least 2 characters.");
        }

        UserView? user = null;
        if (username.Length <= Usernames.MaxLength && await cluster.ForName(username).FindUserIdAsync() is { } id)
        {
            user = await cluster.GetGrain<IUserGrain>(id).CheckPasswordAsync(password);
        }

        if (user is null)
        {
            return Envelope.Error($"Authentication failed for user: {username}.");
        }

        var (token, expires) = await tokens.IssueAsync(user);
        return Envelope.Data(new
        {
            access_token = token,
            expires_on = expires.UtcDateTime.ToString("dd.MM.yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " UTC",
            username = user.Username,
            domain = (string?)null,
        });
    }
}
