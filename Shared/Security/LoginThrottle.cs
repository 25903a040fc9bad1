using System.Threading.RateLimiting;

namespace Vdi.Shared.Security;

/// <summary>
/// Login rate limits of one process (the gateway's <c>Broker:LoginsPerMinutePerAddress</c> and
/// <c>Broker:LoginsPerMinutePerUsername</c>, the silo's dashboard sign-in): token buckets per client address and per
/// username, checked before any password is. Beyond them a login is answered 429 with <c>Retry-After</c> and costs
/// nothing. They complement the account lockout (cluster-wide, in the user's grain): the lockout stops guessing one
/// account from many addresses, the address limit stops one address spraying many accounts.
/// </summary>
public sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _addresses;
    private readonly PartitionedRateLimiter<string> _usernames;

    public LoginThrottle(int perAddressPerMinute, int perUsernamePerMinute)
    {
        _addresses = Buckets(perAddressPerMinute);
        _usernames = Buckets(perUsernamePerMinute);
    }

    /// <summary>Null when the login may go on; otherwise how long the caller should wait.</summary>
    public TimeSpan? Check(string address, string username)
    {
        foreach (var (limiter, key) in new[] { (_addresses, address), (_usernames, username.Trim().ToLowerInvariant()) })
        {
            using var lease = limiter.AttemptAcquire(key);
            if (!lease.IsAcquired)
            {
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(60);
            }
        }

        return null;
    }

    /// <summary>A bucket of a minute's logins per key, refilled a token at a time (an idle key's limiter is dropped by the runtime).</summary>
    private static PartitionedRateLimiter<string> Buckets(int perMinute) => PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public void Dispose()
    {
        _addresses.Dispose();
        _usernames.Dispose();
    }
}
