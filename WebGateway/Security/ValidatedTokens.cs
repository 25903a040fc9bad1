using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Users;
using Vdi.WebGateway.Hosting;

namespace Vdi.WebGateway.Security;

/// <summary>
/// The check that a token is still its user's only valid one (<see cref="TokenChecks"/>), asked of the user's grain
/// every time; what it answered is remembered for <see cref="BrokerOptions.TokenCheckGrace"/>, and used only while the
/// grain cannot be read (its silo died, the database is down): a user whose valid token was checked a moment ago is
/// not sent to the login screen by an outage. A token found replaced or a user found deactivated is forgotten at once;
/// a token never seen by this gateway gets a 503, not a 401.
/// </summary>
public sealed partial class ValidatedTokens(IMemoryCache cache, IOptions<BrokerOptions> options, TimeProvider time, ILogger<ValidatedTokens> logger)
{
    private sealed record Checked(CurrentAccess Access, DateTimeOffset At);

    /// <summary>
    /// Whether the token is current; when it is, the principal gets the user's roles now. Throws the dependency
    /// failure when the user's grain cannot answer and this token was not found current within the grace.
    /// </summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal? principal, IClusterClient cluster)
    {
        if (principal.UserId() is not { } user || principal.TokenId() is not { } token || principal?.Identity is not ClaimsIdentity identity)
        {
            return false;
        }

        var key = (typeof(ValidatedTokens), token);
        CurrentAccess? access;
        try
        {
            access = await cluster.GetGrain<IUserGrain>(user).GetAccessAsync(token);
        }
        catch (Exception e) when (DependencyFailures.IsDependencyFailure(e)
                                  && cache.TryGetValue(key, out Checked? known) && time.GetUtcNow() - known!.At <= options.Value.TokenCheckGrace)
        {
            LogFromCache(logger, user, e.GetType().Name);
            TokenChecks.SetRoles(identity, known.Access);
            return true;
        }

        if (access is null)
        {
            cache.Remove(key);
            return false;
        }

        // remembered at most every half grace: a request must not pay a cache write for a check it already knows
        var grace = options.Value.TokenCheckGrace;
        if (grace > TimeSpan.Zero && !(cache.TryGetValue(key, out Checked? seen) && time.GetUtcNow() - seen!.At < grace / 2 && Same(seen.Access, access)))
        {
            cache.Set(key, new Checked(access, time.GetUtcNow()), new MemoryCacheEntryOptions
            {
                AbsoluteExpirationRelativeToNow = grace,
                Size = 1,
            });
        }

        TokenChecks.SetRoles(identity, access);
        return true;
    }

    /// <summary>The same roles (the record's lists compare by reference): an outage then falls back on what is current.</summary>
    private static bool Same(CurrentAccess a, CurrentAccess b) =>
        a.IsSuperuser == b.IsSuperuser && a.Roles.SequenceEqual(b.Roles) && a.GroupRoles.SequenceEqual(b.GroupRoles);

    [LoggerMessage(EventId = LogEvents.TokenCheckedFromCache, Level = LogLevel.Information,
        Message = "User {User}'s token was accepted from its last check: the user's grain could not be read ({Error})")]
    private static partial void LogFromCache(ILogger logger, Guid user, string error);
}
