namespace Vdi.Grains.Interfaces.Security;

/// <summary>
/// The keys that sign the broker's JWTs (HS256), shared by every gateway so any gateway accepts any token. Kept
/// Data-Protection encrypted in grain storage; only trusted processes (silos, gateways) call this. The current key is
/// replaced on a schedule (<c>Security:SigningKeyRotation</c>) or at a superuser's word; the one before it is still
/// accepted until the last token it signed has expired, so a rotation logs nobody out.
/// </summary>
[Alias("ISigningKeyGrain")]
public interface ISigningKeyGrain : IGrainWithIntegerKey
{
    /// <summary>The keys now (rotating first when the current one is due).</summary>
    [Alias("GetKeysAsync")]
    Task<SigningKeySet> GetKeysAsync();

    /// <summary>Replaces the current key now (tokens it signed stay valid until they expire); journalled.</summary>
    [Alias("RotateAsync")]
    Task<SigningKeySet> RotateAsync(string by);
}

/// <summary>The signing keys: the current one (new tokens) and, until <see cref="PreviousUntil"/>, the one before it.</summary>
[GenerateSerializer, Immutable, Alias("SigningKeySet")]
public sealed record SigningKeySet(
    [property: Id(0)] string CurrentId,
    [property: Id(1)] byte[] Current,
    [property: Id(2)] string? PreviousId,
    [property: Id(3)] byte[]? Previous,
    [property: Id(4)] DateTimeOffset? PreviousUntil,
    [property: Id(5)] DateTimeOffset RotatesAt);
