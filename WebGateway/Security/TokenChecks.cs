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

    public static async Task<bool> IsCurrentAsync(ClaimsPrincipal? principal, IClusterClient cluster) =>
        principal.UserId() is { } user && principal.TokenId() is { } token
        && await cluster.GetGrain<IUserGrain>(user).IsCurrentTokenAsync(token);
}
