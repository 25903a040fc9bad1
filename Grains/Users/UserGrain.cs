using Microsoft.AspNetCore.Identity;
using OtpNet;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Security;
using Vdi.Shared.Settings;

namespace Vdi.Grains.Users;

[GrainType("user")]
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    PasswordHashing hasher,
    UserTable table,
    SecretProtector secrets,
    TimeProvider time) : Grain, IUserGrain
{
    private GroupGrants? _groupGrants; // read once per activation; groups tell the user when they change

    public async Task<UserView> CreateAsync(NewUser user)
    {
        if (state.RecordExists)
        {
            throw BrokerException.Conflict($"User {this.GetPrimaryKey()} already exists.");
        }

        // every field checked before anything changes: a refusal leaves no account behind
        var username = Limit(user.Username, Usernames.MaxLength, "username");
        var firstName = Limit(user.FirstName, 32, "first_name");
        var lastName = Limit(user.LastName, 128, "last_name");
        var email = ValidEmail(user.Email);
        if (user.Password.Length > Shared.Settings.PasswordPolicy.MaxLength)
        {
            throw BrokerException.Invalid("password", $"password: at most {Shared.Settings.PasswordPolicy.MaxLength} characters");
        }

        var now = time.GetUtcNow();
        var s = state.State;
        s.Id = this.GetPrimaryKey();
        s.Username = username;
        s.FirstName = firstName;
        s.LastName = lastName;
        s.Email = email;
        s.IsSuperuser = user.IsSuperuser;
        s.IsActive = true;
        s.Roles = [.. user.Roles.Distinct()];
        s.Created = now;
        s.Updated = now;
        s.Creator = user.Creator;
        s.PasswordHash = await hasher.HashAsync(s, user.Password);
        await SaveAsync();
        return s.ToView();
    }

    public Task<UserView?> GetAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToView() : null);

    public async Task<UserView?> CheckPasswordAsync(string password, CancellationToken cancellation = default)
    {
        if (!state.RecordExists || !state.State.IsActive || string.IsNullOrEmpty(state.State.PasswordHash))
        {
            await hasher.DecoyAsync(password, cancellation); // as long as a wrong password takes
            return null;
        }

        var result = await hasher.VerifyAsync(state.State, state.State.PasswordHash, password, cancellation);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            state.State.PasswordHash = await hasher.HashAsync(state.State, password);
            await SaveAsync();
        }

        return state.State.ToView();
    }

    public async Task<bool> VerifyOneTimePasswordAsync(string code)
    {
        if (!state.RecordExists || string.IsNullOrEmpty(state.State.ProtectedTotpSecret) || string.IsNullOrWhiteSpace(code)
            || secrets.UnprotectTotpSecret(state.State.ProtectedTotpSecret) is not { } secret)
        {
            return false;
        }

        // one step of drift either way (RFC 6238's network delay), and each code once: a code seen (or an older one
        // after a newer was used) is refused, so an observed code cannot log in again within its 90 s
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code.Trim(), out var step, VerificationWindow.RfcSpecifiedNetworkDelay)
            || step <= state.State.LastTotpStep)
        {
            return false;
        }

        state.State.LastTotpStep = step;
        await state.WriteOrForgetAsync(this); // not the projection: nothing listed changed
        return true;
    }

    public async Task RecordLoginAsync(Guid tokenId)
    {
        RequireExists();
        state.State.CurrentTokenId = tokenId;
        state.State.LastLogin = time.GetUtcNow();
        await SaveAsync();
    }

    public async Task<IReadOnlyList<string>> GetTkPermissionsAsync()
    {
        if (!state.RecordExists)
        {
            return [];
        }

        var own = state.State.ToView().EffectiveTkPermissions;
        return [.. own.Union((await GroupGrantsAsync()).TkPermissions)];
    }

    public Task GroupsChangedAsync()
    {
        _groupGrants = null;
        return Task.CompletedTask;
    }

    private async Task<GroupGrants> GroupGrantsAsync() => _groupGrants ??= await table.GroupGrantsAsync(this.GetPrimaryKey());

    public async Task<CurrentAccess?> GetAccessAsync(Guid tokenId) =>
        state.RecordExists && state.State.IsActive && state.State.CurrentTokenId == tokenId
            ? new CurrentAccess(state.State.IsSuperuser, [.. state.State.Roles], (await GroupGrantsAsync()).Roles)
            : null;

    public async Task LogoutAsync()
    {
        if (state.RecordExists && state.State.CurrentTokenId is not null)
        {
            state.State.CurrentTokenId = null;
            await state.WriteOrForgetAsync(this);
        }
    }

    public Task SetFavoritePoolAsync(Guid poolId, bool favorite)
    {
        RequireExists();
        return table.SetFavoriteAsync(this.GetPrimaryKey(), poolId, favorite);
    }

    public async Task<UserView> SetTwoFactorAsync(bool enabled)
    {
        RequireExists();
        if (enabled && string.IsNullOrEmpty(state.State.ProtectedTotpSecret))
        {
            throw BrokerException.Invalid("two_factor", "two_factor: generate a QR code (a TOTP secret) before enabling two-factor authentication");
        }

        state.State.TwoFactor = enabled;
        state.State.Updated = time.GetUtcNow();
        await SaveAsync();
        return state.State.ToView();
    }

    public async Task<TotpEnrollment> GenerateTotpSecretAsync()
    {
        RequireExists();
        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        state.State.ProtectedTotpSecret = secrets.ProtectTotpSecret(secret);
        await state.WriteOrForgetAsync(this);
        var label = Uri.EscapeDataString($"VeiL VDI:{state.State.Username}");
        return new TotpEnrollment(secret, $"otpauth://totp/{label}?secret={secret}&issuer={Uri.EscapeDataString("VeiL VDI")}");
    }

    public async Task<UserView> UpdateAsync(UserChanges changes, string by)
    {
        RequireExists();
        var s = state.State;
        // every field checked before anything changes: a refusal leaves the activation as it was
        var first = changes.FirstName is { } f ? Limit(f, 32, "first_name") : null;
        var last = changes.LastName is { } l ? Limit(l, 128, "last_name") : null;
        var email = changes.Email is { } e ? ValidEmail(e) : null;
        var permissions = changes.TkPermissions is { } p ? UserView.ValidTkPermissions(p) : null;
        if (changes.Password is { } candidate && Shared.Settings.PasswordPolicy.Check(Interfaces.Settings.PasswordSecurityLevel.Low, candidate) is { } weak)
        {
            throw BrokerException.Invalid("password", weak); // the floor of every level; the gateway holds new passwords to the level in force
        }

        if (first is not null)
        {
            s.FirstName = first;
        }

        if (last is not null)
        {
            s.LastName = last;
        }

        if (email is not null)
        {
            s.Email = email;
        }

        if (permissions is not null)
        {
            s.TkPermissions = [.. permissions];
        }

        if (changes.Roles is { } roles)
        {
            s.Roles = [.. roles.Distinct()];
        }

        if (changes.IsSuperuser is { } superuser)
        {
            s.IsSuperuser = superuser;
        }

        if (changes.IsActive is { } active)
        {
            s.IsActive = active;
            if (!active)
            {
                s.CurrentTokenId = null;
            }
        }

        if (changes.Password is { } password)
        {
            s.PasswordHash = await hasher.HashAsync(s, password);
            s.CurrentTokenId = null; // log in again with the new password
        }

        if (changes.ResetTwoFactor)
        {
            s.TwoFactor = false;
            s.ProtectedTotpSecret = "";
        }

        s.Updated = time.GetUtcNow();
        await SaveAsync();
        return s.ToView();
    }

    private static string ValidEmail(string email)
    {
        email = Limit(email, 254, "email");
        return email.Length > 0 && !email.Contains('@', StringComparison.Ordinal) ? throw BrokerException.Invalid("email", "email: not an e-mail address") : email;
    }

    private static string Limit(string value, int max, string field)
    {
        value = value.Trim();
        return value.Length <= max ? value : throw BrokerException.Invalid(field, $"{field}: at most {max} characters");
    }

    private void RequireExists()
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"no user has the id {this.GetPrimaryKey()}");
        }
    }

    private async Task SaveAsync()
    {
        await state.WriteOrForgetAsync(this);
        await table.UpsertAsync(state.State);
    }
}
