using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.WebGateway.Security;

/// <summary>Issues the broker's JWTs (HS256, 24 h like the original's JWT_EXPIRATION_DELTA).</summary>
public sealed class TokenIssuer(SigningKeys keys, TimeProvider time)
{
    public const string Issuer = "vdi-broker";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// Signs the token a login recorded as the user's only valid one (<see cref="LoginAttempt.TokenId"/>). It names the
    /// user and itself, no roles: those are read from the user's grain at each request (<see cref="TokenChecks.IsCurrentAsync"/>).
    /// </summary>
    public async Task<(string Token, DateTimeOffset Expires)> SignAsync(UserView user, Guid tokenId)
    {
        var now = time.GetUtcNow();
        var expires = now + Lifetime;
        Claim[] claims =
        [
            new(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
            new(JwtRegisteredClaimNames.Jti, tokenId.ToString()),
            new(ClaimTypes.Name, user.Username),
        ];
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(await keys.GetAsync(), SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}
