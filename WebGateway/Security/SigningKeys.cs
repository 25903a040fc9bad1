using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Vdi.Grains.Interfaces.Security;

namespace Vdi.WebGateway.Security;

/// <summary>
/// The cluster's JWT signing keys as this gateway knows them: read from the signing-key grain, kept in memory and read
/// again before the current one is due to rotate, or when a token names a key this gateway has not seen (another
/// gateway rotated). Loading is always awaited in the request's asynchronous pipeline
/// (<see cref="EnsureKnownAsync"/>), never on a blocked thread: the validator's synchronous resolver only reads the cache.
/// </summary>
public sealed class SigningKeys(IClusterClient cluster, TimeProvider time)
{
    /// <summary>A token naming an unknown key refreshes the keys at most this often (random kids cost one read, not a storm).</summary>
    private static readonly TimeSpan UnknownKeyRefreshInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Snapshot? _keys;
    private DateTimeOffset _lastUnknownRefresh = DateTimeOffset.MinValue;

    private sealed record Snapshot(SymmetricSecurityKey Current, IReadOnlyList<SymmetricSecurityKey> Valid, DateTimeOffset FreshUntil);

    /// <summary>The key new tokens are signed with.</summary>
    public async Task<SymmetricSecurityKey> GetAsync() => (await CurrentAsync()).Current;

    /// <summary>
    /// Makes sure the keys are loaded and fresh, and that the key <paramref name="token"/> names (its <c>kid</c>) is
    /// known if the cluster has it. Throws the cluster's failure when the keys cannot be read (a 503, never a 401).
    /// </summary>
    public async Task EnsureKnownAsync(string? token)
    {
        var keys = await CurrentAsync();
        if (token is null || !TryKid(token, out var kid) || keys.Valid.Any(k => k.KeyId == kid))
        {
            return;
        }

        var now = time.GetUtcNow();
        if (now - _lastUnknownRefresh < UnknownKeyRefreshInterval)
        {
            return;
        }

        _lastUnknownRefresh = now;
        await RefreshAsync(keys);
    }

    /// <summary>Forgets the keys (this gateway rotated them): the next request reads them again.</summary>
    public void Invalidate() => _keys = null;

    /// <summary>For the token validator, which asks synchronously: the keys loaded (by <see cref="EnsureKnownAsync"/>), never a wait.</summary>
    public IEnumerable<SecurityKey> Resolve() => _keys?.Valid ?? [];

    private async Task<Snapshot> CurrentAsync()
    {
        var keys = _keys;
        return keys is not null && time.GetUtcNow() < keys.FreshUntil ? keys : await RefreshAsync(keys);
    }

    private async Task<Snapshot> RefreshAsync(Snapshot? seen)
    {
        await _gate.WaitAsync();
        try
        {
            if (!ReferenceEquals(_keys, seen) && _keys is { } other && time.GetUtcNow() < other.FreshUntil)
            {
                return other; // another caller refreshed while this one waited
            }

            var set = await cluster.GetGrain<ISigningKeyGrain>(0).GetKeysAsync();
            var current = new SymmetricSecurityKey(set.Current) { KeyId = set.CurrentId };
            List<SymmetricSecurityKey> valid = [current];
            if (set is { Previous: { } previous, PreviousId: { } previousId })
            {
                valid.Add(new SymmetricSecurityKey(previous) { KeyId = previousId });
            }

            var now = time.GetUtcNow();
            var freshUntil = new[] { now + MaxAge, set.RotatesAt, set.PreviousUntil ?? DateTimeOffset.MaxValue }.Min();
            var snapshot = new Snapshot(current, valid, freshUntil > now ? freshUntil : now + TimeSpan.FromSeconds(1));
            _keys = snapshot;
            return snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool TryKid(string token, out string kid)
    {
        kid = "";
        try
        {
            kid = new JsonWebToken(token).Kid ?? "";
        }
        catch (ArgumentException)
        {
            return false; // not a JWT: the validator refuses it
        }

        return kid.Length > 0;
    }
}
