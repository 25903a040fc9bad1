using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Security;

namespace Vdi.Grains.Security;

[GrainType("signing-key")]
public sealed class SigningKeyGrain(
    [PersistentState("signing-key", StorageNames.Main)] IPersistentState<SigningKeyState> state,
    IDataProtectionProvider protection) : Grain, ISigningKeyGrain
{
    private readonly IDataProtector _protector = protection.CreateProtector("Vdi.Jwt.SigningKey.v1");

    public async Task<byte[]> GetKeyAsync()
    {
        if (string.IsNullOrEmpty(state.State.ProtectedKey))
        {
            state.State.ProtectedKey = Convert.ToBase64String(_protector.Protect(RandomNumberGenerator.GetBytes(64)));
            await state.WriteOrForgetAsync(this);
        }

        return _protector.Unprotect(Convert.FromBase64String(state.State.ProtectedKey));
    }
}
