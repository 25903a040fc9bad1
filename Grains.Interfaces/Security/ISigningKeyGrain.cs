namespace Vdi.Grains.Interfaces.Security;

/// <summary>
/// The key that signs the broker's JWTs (HS256), shared by every gateway so any gateway accepts any token. Created
/// once, kept Data-Protection encrypted in grain storage; only trusted processes (silos, gateways) call this.
/// </summary>
[Alias("ISigningKeyGrain")]
public interface ISigningKeyGrain : IGrainWithIntegerKey
{
    [Alias("GetKeyAsync")]
    Task<byte[]> GetKeyAsync();
}
