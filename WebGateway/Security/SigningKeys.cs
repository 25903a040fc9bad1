using Microsoft.IdentityModel.Tokens;
using Vdi.Grains.Interfaces.Security;

namespace Vdi.WebGateway.Security;

/// <summary>The cluster's JWT signing key, fetched once from the silos and kept in memory.</summary>
public sealed class SigningKeys(IClusterClient cluster)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SymmetricSecurityKey? _key;

    public async Task<SymmetricSecurityKey> GetAsync()
    {
        if (_key is not null)
        {
            return _key;
        }

        await _gate.WaitAsync();
        try
        {
            return _key ??= new SymmetricSecurityKey(await cluster.GetGrain<ISigningKeyGrain>(0).GetKeyAsync());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>For the token validator, which asks synchronously; the first request waits for the key once.</summary>
    public IEnumerable<SecurityKey> Resolve() => [GetAsync().GetAwaiter().GetResult()];
}
