using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Security;
using Vdi.Grains.Journal;

namespace Vdi.Grains.Security;

[GrainType("signing-key")]
public sealed class SigningKeyGrain(
    [PersistentState("signing-key", StorageNames.Main)] IPersistentState<SigningKeyState> state,
    IDataProtectionProvider protection,
    IOptions<SigningKeyOptions> options,
    SecurityClock clock,
    JournalWriter journal) : Grain, ISigningKeyGrain
{
    /// <summary>How long a replaced key is still accepted: the longest a token lives, and the validators' clock skew.</summary>
    public static readonly TimeSpan PreviousKeyLife = TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);

    private readonly IDataProtector _protector = protection.CreateProtector("Vdi.Jwt.SigningKey.v1");

    public async Task<SigningKeySet> GetKeysAsync()
    {
        var now = clock.Now;
        if (await EnsureKeyAsync(now) is { } created && now >= created + options.Value.Rotation)
        {
            await RotateCoreAsync(now, "system", "on schedule");
        }

        return View(now);
    }

    public async Task<SigningKeySet> RotateAsync(string by)
    {
        var now = clock.Now;
        await EnsureKeyAsync(now); // never the scheduled rotation as well: that would drop the key before at once
        await RotateCoreAsync(now, by, "at an administrator's request");
        return View(now);
    }

    /// <summary>The current key's creation time, making the first key (or dating one from before rotation) when needed.</summary>
    private async Task<DateTimeOffset?> EnsureKeyAsync(DateTimeOffset now)
    {
        var s = state.State;
        if (string.IsNullOrEmpty(s.ProtectedKey))
        {
            s.ProtectedKey = NewKey();
            s.CurrentId = NewId();
            s.Created = now;
            await state.WriteOrForgetAsync(this);
            return null; // new: not due
        }

        if (s.Created is null)
        {
            s.Created = now; // a key of before rotation existed: its age counts from now
            s.CurrentId = string.IsNullOrEmpty(s.CurrentId) ? "k0" : s.CurrentId;
            await state.WriteOrForgetAsync(this);
        }

        return s.Created;
    }

    private async Task RotateCoreAsync(DateTimeOffset now, string by, string why)
    {
        var s = state.State;
        s.ProtectedPrevious = s.ProtectedKey;
        s.PreviousId = s.CurrentId;
        s.PreviousUntil = now + PreviousKeyLife;
        s.ProtectedKey = NewKey();
        s.CurrentId = NewId();
        s.Created = now;
        await state.WriteOrForgetAsync(this); // a failed write leaves nothing in this activation: the next one reads what is stored

        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, "The token signing key has been rotated.",
            $"Key {s.CurrentId} signs new tokens; key {s.PreviousId} is accepted until {s.PreviousUntil:u} ({why}).", EntityType.Security, null, by));
    }

    private SigningKeySet View(DateTimeOffset now)
    {
        var s = state.State;
        var previous = s.PreviousUntil is { } until && until > now && !string.IsNullOrEmpty(s.ProtectedPrevious);
        return new SigningKeySet(s.CurrentId, Unprotect(s.ProtectedKey), previous ? s.PreviousId : null, previous ? Unprotect(s.ProtectedPrevious) : null,
            previous ? s.PreviousUntil : null, s.Created!.Value + options.Value.Rotation);
    }

    private string NewKey() => Convert.ToBase64String(_protector.Protect(RandomNumberGenerator.GetBytes(64)));

    private static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    private byte[] Unprotect(string protectedKey) => _protector.Unprotect(Convert.FromBase64String(protectedKey));
}
