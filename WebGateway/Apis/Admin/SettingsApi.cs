using System.Security.Claims;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Shared.Settings;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>The run-time settings: AFK disconnect and its timeout, the thin-client limit, the password security level, expiry (days, the original's PASSWORD_EXPIRATION_PERIOD) and history.</summary>
public static class SettingsApi
{
    public sealed record SettingsRequest(bool? DisconnectInactiveConnections, int? AfkTimeout, int? ThinClientLimit, string? PasswordSecurityLevel,
        int? PasswordExpirationPeriod, int? PasswordHistory, int? ResourceCacheTtl = null);

    public static RouteGroupBuilder MapSettingsApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/settings").WithTags("Settings").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", async (IClusterClient cluster) => View(await cluster.GetGrain<ISettingsGrain>(0).GetAsync()));
        g.MapPatch("/", async (SettingsRequest body, IClusterClient cluster, SettingsCache cache, ClaimsPrincipal user) =>
        {
            PasswordSecurityLevel? level = null;
            if (body.PasswordSecurityLevel is { } text)
            {
                level = WireNames.TryParseWire<PasswordSecurityLevel>(text, out var parsed)
                    ? parsed
                    : throw BrokerException.Invalid("password_security_level", "password_security_level: LOW, MIDDLE or HIGH");
            }

            var updated = await cluster.GetGrain<ISettingsGrain>(0).UpdateAsync(
                new BrokerSettingsChanges(body.DisconnectInactiveConnections, body.AfkTimeout, body.ThinClientLimit, level,
                    body.PasswordExpirationPeriod, body.PasswordHistory, body.ResourceCacheTtl), user.UserName());
            cache.Invalidate();
            return View(updated);
        });
        // a superuser replaces the token signing key now (after a suspected leak); tokens signed before stay valid until
        // they expire, and every gateway learns the new key at the first token that names it
        admin.MapPost("/security/rotate-signing-key", async (IClusterClient cluster, SigningKeys keys, ClaimsPrincipal user) =>
        {
            var set = await cluster.GetGrain<Vdi.Grains.Interfaces.Security.ISigningKeyGrain>(0).RotateAsync(user.UserName());
            keys.Invalidate();
            return Results.Ok(new { key_id = set.CurrentId, previous_key_id = set.PreviousId, previous_accepted_until = set.PreviousUntil, rotates_at = set.RotatesAt });
        }).WithTags("Settings").RequireAuthorization(p => p.RequireRole(Roles.Superuser));
        return admin;
    }

    private static object View(BrokerSettings s) => new
    {
        disconnect_inactive_connections = s.DisconnectInactiveConnections,
        afk_timeout = s.AfkTimeoutSeconds,
        thin_client_limit = s.ThinClientLimit,
        password_security_level = s.PasswordSecurityLevel.ToWire(),
        password_expiration_period = s.PasswordExpirationDays,
        password_history = s.PasswordHistory,
        resource_cache_ttl = s.ResourceCacheSeconds,
    };
}
