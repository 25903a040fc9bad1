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
    /// The user's roles now (the token carries none: a role taken away or granted counts from the next request, not
    /// the next login). The check itself is <see cref="ValidatedTokens.IsCurrentAsync"/>.
    /// </summary>
    public static void SetRoles(ClaimsIdentity identity, CurrentAccess access)
    {
        foreach (var stale in identity.FindAll(identity.RoleClaimType).ToList())
        {
            identity.RemoveClaim(stale);
        }

        identity.AddClaims(Roles.Of(access).Select(r => new Claim(identity.RoleClaimType, r)));
    }
}
