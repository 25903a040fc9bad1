using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.WebGateway.Security;

/// <summary>Reads the broker's claims and checks a token is still its user's only valid one.</summary>
public static class TokenChecks
{
    public static Guid? UserId(this ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, out var id) ? id : null;

    public static Guid? TokenId(this ClaimsPrincipal? user) =>
        Guid.TryParse(user?.FindFirst(JwtRegisteredClaimNames.Jti)?.Value, out var id) ? id : null;

    public static bool IsSuperuser(this ClaimsPrincipal user) => user.IsInRole(Roles.Superuser);

    /// <summary>
    /// Whether the token is still its user's only valid one; when it is, the principal gets the user's roles now (the
    /// token carries none: a role taken away or granted counts from the next request, not the next login).
    /// </summary>
    public static async Task<bool> IsCurrentAsync(ClaimsPrincipal? principal, IClusterClient cluster)
    {
        if (principal.UserId() is not { } user || principal.TokenId() is not { } token
            || principal?.Identity is not ClaimsIdentity identity
            || await cluster.GetGrain<IUserGrain>(user).GetAccessAsync(token) is not { } access)
        {
            return false;
        }

        foreach (var stale in identity.FindAll(identity.RoleClaimType).ToList())
        {
            identity.RemoveClaim(stale);
        }

        identity.AddClaims(Roles.Of(access).Select(r => new Claim(identity.RoleClaimType, r)));
        return true;
    }
}
