using Npgsql;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OtpNet;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Settings;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Journal;
using Vdi.Grains.Security;

namespace Vdi.Grains.Users;

[GrainType("user")]
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Main)] IPersistentState<UserState> state,
    PasswordHashing hasher,
    UserTable table,
    SecretProtector secrets,
    JournalWriter journal,
    IOptions<Security.LockoutOptions> lockout,
    Directories.DirectoryTable directories,
    SecurityClock clock) : Grain, IUserInternalGrain
{
    /// <summary>The most earlier passwords kept (the setting chooses how many of them count).</summary>
    public const int HistoryKept = 24;

    private GroupGrants? _groupGrants; // read once per activation; groups tell the user when they change

    /// <summary>Mapped groups this activation has put the user in since its groups last changed: not asked again at each login.</summary>
    private readonly HashSet<Guid> _mappedApplied = [];

    private Guid Id => this.GetPrimaryKey();

    public async Task<UserView> CreateAsync(NewUser user)
    {
        if (state.RecordExists)
        {
            throw BrokerException.Conflict($"User {Id} already exists.");
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

        var settings = await SettingsAsync();
        var now = clock.Now;
        var s = state.State;
        s.Id = Id;
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
        s.DirectoryId = user.DirectoryId;
        if (user.DirectoryId is null)
        {
            s.PasswordHash = await hasher.HashAsync(s, user.Password);
            s.PasswordExpires = Expiry(settings, now);
        }

        await SaveAsync();
        return s.ToView();
    }

    public Task<UserView?> GetAsync() =>
        Task.FromResult(state.RecordExists ? state.State.ToView() : null);

    public Task<LoginOutcome> LoginAsync(LoginAttempt attempt, CancellationToken cancellation = default) => LoginCoreAsync(attempt, null, cancellation);

    public Task<LoginOutcome> LoginCheckedAsync(LoginAttempt attempt, Directories.DirectoryLogin verdict, CancellationToken cancellation = default) =>
        LoginCoreAsync(attempt, attempt.Directory && state.RecordExists && state.State.DirectoryId is not null ? verdict : null, cancellation);

    private async Task<LoginOutcome> LoginCoreAsync(LoginAttempt attempt, Directories.DirectoryLogin? checkedVerdict, CancellationToken cancellation)
    {
        var s = state.State;
        var now = clock.Now;
        if (!state.RecordExists)
        {
            await hasher.DecoyAsync(attempt.Password, cancellation);
            return LoginOutcome.Failed;
        }

        // a locked account is refused before its password is checked: a guesser learns nothing and costs no hash
        if (s.Lockout.RemainingAt(now) is var remaining && remaining > TimeSpan.Zero)
        {
            await JournalFailureAsync(attempt, "the account is locked");
            return new LoginOutcome(LoginResult.LockedOut, RetryAfter: remaining);
        }

        if (!s.IsActive)
        {
            if (!attempt.Directory)
            {
                await hasher.DecoyAsync(attempt.Password, cancellation); // as long as a wrong password takes
            }

            await JournalFailureAsync(attempt, "the account is deactivated");
            return LoginOutcome.Failed;
        }

        var domain = "";
        IReadOnlyList<Guid> mapped = [];
        var result = PasswordVerificationResult.Success;
        if (attempt.Directory)
        {
            // the directory checks the password (its own hashing, its own lockout policy)
            var directoryId = s.DirectoryId ?? await directories.FirstEnabledAsync();
            if (directoryId is not { } directoryKey)
            {
                return DirectoryUnavailable("no directory is configured");
            }

            var verdict = checkedVerdict ?? await AskDirectoryAsync(GrainFactory.GetGrain<Directories.IDirectoryInternalGrain>(directoryKey), attempt, s.Username);
            if (verdict.Removed && await directories.FirstEnabledAsync() is { } replacement && replacement != directoryKey)
            {
                // the directory the user came from was removed: the one logins go to now checks it, and keeps it
                verdict = await AskDirectoryAsync(GrainFactory.GetGrain<Directories.IDirectoryInternalGrain>(replacement), attempt, s.Username);
                if (verdict.Outcome == Interfaces.Directories.DirectoryOutcome.Ok)
                {
                    s.DirectoryId = replacement;
                }
            }

            if (verdict.Outcome == Interfaces.Directories.DirectoryOutcome.Ok && Usernames.Key(verdict.Account) != Usernames.Key(s.Username))
            {
                // the directory vouched for another account (a trusted domain's user typed with a name a gateway took
                // for its local namesake's): that account's login, never this user's
                return await GrainFactory.ForName(verdict.Account).LoginAsync(attempt, cancellation);
            }

            switch (verdict.Outcome)
            {
                case Interfaces.Directories.DirectoryOutcome.Ok:
                    domain = verdict.Domain;
                    (s.FirstName, s.LastName, s.Email) = (Fit(verdict.FirstName, 32), Fit(verdict.LastName, 128), Fit(verdict.Email, 254));
                    mapped = verdict.MappedGroups ?? [];
                    break;
                case Interfaces.Directories.DirectoryOutcome.WrongCredentials:
                    return await FailAsync(attempt, $"the directory refused it: {verdict.Detail}", now);
                case Interfaces.Directories.DirectoryOutcome.Disabled or Interfaces.Directories.DirectoryOutcome.PasswordExpired:
                    // the password was right: not a guess, so not counted toward the lockout
                    await JournalFailureAsync(attempt, $"the directory refused it: {verdict.Detail}");
                    return RightPasswordRefused(verdict)!;
                default:
                    await journal.WriteAsync(new JournalEntry(JournalLevel.Error, $"Authentication failed for user: {s.Username}.",
                        $"IP: {attempt.ClientAddress}\nThe directory could not check it: {verdict.Detail}.", EntityType.Security, Id, s.Username, attempt.ClientAddress));
                    return DirectoryUnavailable(verdict.Detail);
            }
        }
        else
        {
            if (string.IsNullOrEmpty(s.PasswordHash))
            {
                await hasher.DecoyAsync(attempt.Password, cancellation);
                await JournalFailureAsync(attempt, s.DirectoryId is null ? "the account has no local password" : "a directory user logging in without the directory");
                return LoginOutcome.Failed;
            }

            result = await hasher.VerifyAsync(s, s.PasswordHash, attempt.Password, cancellation);
            if (result == PasswordVerificationResult.Failed)
            {
                return await FailAsync(attempt, "wrong password", now);
            }
        }

        var confirmedNow = false;
        if (s.TwoFactor)
        {
            if (!TryAcceptCode(attempt.Code))
            {
                return await FailAsync(attempt, string.IsNullOrWhiteSpace(attempt.Code) ? "no one-time password" : "wrong one-time password", now);
            }

            confirmedNow = !s.TwoFactorConfirmed;
            s.TwoFactorConfirmed = true;
        }

        s.Lockout.Clear();
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            s.PasswordHash = await hasher.HashAsync(s, attempt.Password);
        }

        if (!attempt.Directory && s.PasswordExpires is { } expires && expires <= now)
        {
            await state.WriteOrForgetAsync(this);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"The password for user {s.Username} has expired.",
                $"IP: {attempt.ClientAddress}. Expired {expires:u}.", EntityType.Security, Id, s.Username, attempt.ClientAddress));
            return new LoginOutcome(LoginResult.PasswordExpired);
        }

        if (attempt.TokenId is { } tokenId)
        {
            s.CurrentTokenId = tokenId; // this token is the user's only valid one from now on
        }

        s.LastLogin = now;
        await SaveAsync();
        foreach (var group in mapped.Where(g => !_mappedApplied.Contains(g)))
        {
            // the directory's mapping puts the user in its broker groups (added, never removed, as the original does);
            // a group that changes its members tells the user (GroupsChangedAsync), and the next login adds again. The
            // login is saved already (its token is the user's one now): a group that cannot be joined does not undo it
            bool joined;
            try
            {
                joined = await GrainFactory.GetGrain<Groups.IGroupInternalGrain>(group).JoinAsync(Id, s.Username, "directory");
            }
            catch (Exception e) when (e is NpgsqlException or OrleansException or TimeoutException)
            {
                await journal.WriteAsync(new JournalEntry(JournalLevel.Error, $"User {s.Username} could not be put in a mapped group.",
                    $"Group {group}: {e.GetType().Name}. The next login tries again.", EntityType.Group, group, "directory"));
                continue;
            }

            if (joined)
            {
                _mappedApplied.Add(group);
                _groupGrants = null; // what the group grants is read again
            }
            else
            {
                await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"A directory mapping names group {group}, which does not exist.",
                    $"User {s.Username} logged in without it.", EntityType.Group, group, "directory"));
            }
        }

        if (confirmedNow)
        {
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Two-factor authentication of user {s.Username} confirmed by its first one-time password.",
                EntityType: EntityType.User, EntityId: Id, User: s.Username, ClientAddress: attempt.ClientAddress));
        }

        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {s.Username} has been logged in.",
            $"Auth type: {(attempt.Kerberos ? "Kerberos" : attempt.Directory ? "Ldap" : "Local")}, IP: {attempt.ClientAddress}, Client type: {ClientType(attempt.Channel)}", EntityType.Auth, Id, s.Username, attempt.ClientAddress));
        return new LoginOutcome(LoginResult.Success, s.ToView(), Domain: domain);
    }

    /// <summary>
    /// The directory's verdict: the password checked by a bind, or, for a Kerberos login (the gateway has verified the
    /// ticket against its keytab), the account looked up by the service account.
    /// </summary>
    internal static Task<Directories.DirectoryLogin> AskDirectoryAsync(Directories.IDirectoryInternalGrain directory, LoginAttempt attempt, string name) =>
        attempt.Kerberos ? directory.ResolveAsync(attempt.Typed ?? name) : directory.AuthenticateAsync(attempt.Typed ?? name, attempt.Password);

    /// <summary>A directory's "no" to a right password (disabled, locked, expired there) as a login's answer; null for any other verdict.</summary>
    internal static LoginOutcome? RightPasswordRefused(Directories.DirectoryLogin verdict) => verdict.Outcome switch
    {
        Interfaces.Directories.DirectoryOutcome.Disabled => new LoginOutcome(LoginResult.AccountDisabled, Detail: verdict.Detail),
        Interfaces.Directories.DirectoryOutcome.PasswordExpired => new LoginOutcome(LoginResult.PasswordExpired, Detail: verdict.Detail),
        _ => null,
    };

    /// <summary>A broker user for a directory account: no local password, its names cut to the columns' sizes.</summary>
    internal static NewUser DirectoryUser(string account, string firstName, string lastName, string email, Guid directoryId, string creator) =>
        new(account, "", false, [], creator, Fit(firstName, 32), Fit(lastName, 128), Fit(email, 254), directoryId);

    internal static LoginOutcome DirectoryUnavailable(string detail) =>
        new(LoginResult.DirectoryUnavailable, Detail: $"the directory is unreachable ({detail}); local users can still log in");

    private static string Fit(string value, int max) => value.Length <= max ? value : value[..max];

    private async Task<LoginOutcome> FailAsync(LoginAttempt attempt, string reason, DateTimeOffset now)
    {
        var locked = state.State.Lockout.Fail(now, lockout.Value);
        await state.WriteOrForgetAsync(this);
        await JournalFailureAsync(attempt, reason);
        if (locked is not { } length)
        {
            return LoginOutcome.Failed;
        }

        await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"User {state.State.Username} has been locked out for {Describe(length)}.",
            $"IP: {attempt.ClientAddress}. {lockout.Value.Threshold} failed logins in a row; lockout {state.State.Lockout.Lockouts} since the last successful login.",
            EntityType.Security, Id, state.State.Username, attempt.ClientAddress));
        return new LoginOutcome(LoginResult.LockedOut, RetryAfter: length);
    }

    private Task JournalFailureAsync(LoginAttempt attempt, string reason) => journal.WriteAsync(FailedLogin(state.State.Username, Id, attempt, reason));

    /// <summary>The original's warning for a refused login, with the address, the client and (for administrators only) why.</summary>
    internal static JournalEntry FailedLogin(string username, Guid? userId, LoginAttempt attempt, string reason) =>
        new(JournalLevel.Warning, $"Authentication failed for user: {username}.",
            $"IP: {attempt.ClientAddress}\nClient type: {ClientType(attempt.Channel)}\nReason: {reason}.", EntityType.Security, userId, username, attempt.ClientAddress);

    internal static string ClientType(LoginChannel channel) => channel switch
    {
        LoginChannel.ThinClient => "thin-client",
        LoginChannel.Dashboard => "cluster dashboard",
        _ => "web",
    };

    internal static string Describe(TimeSpan length) =>
        length >= TimeSpan.FromMinutes(1) ? $"{Math.Ceiling(length.TotalMinutes):0} min" : $"{Math.Ceiling(length.TotalSeconds):0} s";

    public async Task<UserView> UnlockAsync(string by)
    {
        RequireExists();
        if (state.State.Lockout.LockedUntil is null && state.State.Lockout.Failures == 0)
        {
            return state.State.ToView();
        }

        state.State.Lockout.Clear();
        await state.WriteOrForgetAsync(this);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {state.State.Username} has been unlocked.",
            EntityType: EntityType.Security, EntityId: Id, User: by));
        return state.State.ToView();
    }

    /// <summary>
    /// Accepts a one-time password of the secret: one step of drift either way (RFC 6238's network delay), each code
    /// once (a code seen, or an older one after a newer was used, is refused, so an observed code cannot log in again
    /// within its 90 s). The caller writes the state.
    /// </summary>
    private bool TryAcceptCode(string? code)
    {
        if (string.IsNullOrWhiteSpace(code) || string.IsNullOrEmpty(state.State.ProtectedTotpSecret)
            || secrets.UnprotectTotpSecret(state.State.ProtectedTotpSecret) is not { } secret)
        {
            return false;
        }

        var totp = new Totp(Base32Encoding.ToBytes(secret));
        if (!totp.VerifyTotp(clock.Now.UtcDateTime, code.Trim(), out var step, VerificationWindow.RfcSpecifiedNetworkDelay)
            || step <= state.State.LastTotpStep)
        {
            return false;
        }

        state.State.LastTotpStep = step;
        return true;
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
        _mappedApplied.Clear();
        return Task.CompletedTask;
    }

    private async Task<GroupGrants> GroupGrantsAsync() => _groupGrants ??= await table.GroupGrantsAsync(Id);

    public async Task<CurrentAccess?> GetAccessAsync(Guid tokenId) =>
        state.RecordExists && state.State.IsActive && state.State.CurrentTokenId == tokenId
            ? new CurrentAccess(state.State.IsSuperuser, [.. state.State.Roles], (await GroupGrantsAsync()).Roles)
            : null;

    public async Task<CurrentAccess?> GetStandingAsync() =>
        state.RecordExists && state.State.IsActive
            ? new CurrentAccess(state.State.IsSuperuser, [.. state.State.Roles], (await GroupGrantsAsync()).Roles)
            : null;

    public async Task LogoutAsync()
    {
        if (state.RecordExists && state.State.CurrentTokenId is not null)
        {
            state.State.CurrentTokenId = null;
            await state.WriteOrForgetAsync(this);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"User {state.State.Username} has been logged out.",
                EntityType: EntityType.Auth, EntityId: Id, User: state.State.Username));
        }
    }

    public Task SetFavoritePoolAsync(Guid poolId, bool favorite)
    {
        RequireExists();
        return table.SetFavoriteAsync(Id, poolId, favorite);
    }

    public async Task<UserView> SetTwoFactorAsync(bool enabled, string? code = null)
    {
        RequireExists();
        var s = state.State;
        if (enabled == s.TwoFactor && (!enabled || s.TwoFactorConfirmed || code is null))
        {
            return s.ToView();
        }

        if (enabled)
        {
            if (string.IsNullOrEmpty(s.ProtectedTotpSecret))
            {
                throw BrokerException.Invalid("two_factor", "two_factor: generate a QR code (a TOTP secret) before enabling two-factor authentication");
            }

            // with a code the enrolment is confirmed now; without one (VeiL Connect sends none) by the first login's code
            var confirmed = false;
            if (code is not null)
            {
                confirmed = TryAcceptCode(code) ? true : throw BrokerException.Invalid("code", "code: one-time password does not match or is out of date");
            }

            s.TwoFactor = true;
            s.TwoFactorConfirmed = confirmed;
        }
        else
        {
            if (s.TwoFactorConfirmed && !TryAcceptCode(code))
            {
                throw BrokerException.Invalid("code",
                    "code: turning two-factor authentication off needs a current one-time password (or a security administrator's reset)");
            }

            s.TwoFactor = false;
            s.TwoFactorConfirmed = false;
            s.ProtectedTotpSecret = "";
        }

        s.Updated = clock.Now;
        await SaveAsync();
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
            enabled ? $"Two-factor authentication of user {s.Username} enabled." : $"Two-factor authentication of user {s.Username} disabled.",
            enabled && !s.TwoFactorConfirmed ? "To be confirmed by the first one-time password at login." : "",
            EntityType.User, Id, s.Username));
        return s.ToView();
    }

    public async Task<TotpEnrollment> GenerateTotpSecretAsync(string? code = null)
    {
        RequireExists();
        var s = state.State;
        // a confirmed enrolment is replaced only by whoever holds it: a stolen token cannot move 2FA to another phone
        if (s.TwoFactor && s.TwoFactorConfirmed && !TryAcceptCode(code))
        {
            throw BrokerException.Invalid("code", "code: a new QR code for an account with two-factor authentication needs a current one-time password");
        }

        var secret = Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));
        var reenrolled = s.TwoFactor;
        s.ProtectedTotpSecret = secrets.ProtectTotpSecret(secret);
        s.TwoFactorConfirmed = false;
        s.LastTotpStep = 0;
        await state.WriteOrForgetAsync(this);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
            reenrolled ? $"User {s.Username} re-enrolled two-factor authentication." : $"User {s.Username} generated a two-factor authentication secret.",
            EntityType: EntityType.User, EntityId: Id, User: s.Username));
        var label = Uri.EscapeDataString($"VeiL VDI:{s.Username}");
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
        if (changes.Password is { } candidate && Shared.Settings.PasswordPolicy.Check(PasswordSecurityLevel.Low, candidate) is { } weak)
        {
            throw BrokerException.Invalid("password", weak); // the floor of every level; the gateway holds new passwords to the level in force
        }

        var settings = changes.Password is null ? null : await SettingsAsync();
        if (changes.Password is { } again && await ReusesAsync(again, settings!.PasswordHistory))
        {
            throw BrokerException.Invalid("password", settings.PasswordHistory == 0
                ? "password: the new password must differ from the current one"
                : $"password: unable to set a previously used password (the last {settings.PasswordHistory} are remembered)");
        }

        var audit = new ChangeLog();
        if (first is not null)
        {
            audit.Note("first_name", s.FirstName, first);
            s.FirstName = first;
        }

        if (last is not null)
        {
            audit.Note("last_name", s.LastName, last);
            s.LastName = last;
        }

        if (email is not null)
        {
            audit.Note("email", s.Email, email);
            s.Email = email;
        }

        if (permissions is not null)
        {
            audit.NoteList("tk_permissions", s.TkPermissions, permissions);
            s.TkPermissions = [.. permissions];
        }

        if (changes.Roles is { } roles)
        {
            audit.NoteList("roles", s.Roles, roles.Distinct(), r => r.ToWire());
            s.Roles = [.. roles.Distinct()];
        }

        if (changes.IsSuperuser is { } superuser)
        {
            audit.Note("is_superuser", s.IsSuperuser, superuser);
            s.IsSuperuser = superuser;
        }

        if (changes.IsActive is { } active)
        {
            audit.Note("is_active", s.IsActive, active);
            s.IsActive = active;
            if (!active)
            {
                s.CurrentTokenId = null;
            }
        }

        var now = clock.Now;
        if (changes.Password is { } password)
        {
            if (!string.IsNullOrEmpty(s.PasswordHash))
            {
                s.PasswordHistory.Insert(0, s.PasswordHash);
                s.PasswordHistory = [.. s.PasswordHistory.Take(HistoryKept)];
            }

            s.PasswordHash = await hasher.HashAsync(s, password);
            s.PasswordExpires = Expiry(settings!, now);
            s.CurrentTokenId = null; // log in again with the new password
            s.Lockout.Clear();
            audit.Add("password: changed" + (s.PasswordExpires is { } x ? $" (expires {x:u})" : ""));
        }

        if (changes.ResetTwoFactor && (s.TwoFactor || !string.IsNullOrEmpty(s.ProtectedTotpSecret)))
        {
            audit.Add($"two_factor: {s.TwoFactor} → False (reset)");
            s.TwoFactor = false;
            s.TwoFactorConfirmed = false;
            s.ProtectedTotpSecret = "";
        }

        s.Updated = now;
        await SaveAsync();
        if (!audit.IsEmpty)
        {
            var message = changes.IsActive is false && audit.Touches("is_active")
                ? $"User {s.Username} has been deactivated."
                : $"User {s.Username} has been changed.";
            await journal.WriteAsync(new JournalEntry(audit.Touches("is_superuser", "roles") ? JournalLevel.Warning : JournalLevel.Info,
                message, audit.ToString(), EntityType.User, Id, by));
        }

        return s.ToView();
    }

    public async Task DeleteAsync(string by)
    {
        RequireExists();
        var s = state.State;
        if (await table.OwnedVmCountAsync(Id) is var vms and > 0)
        {
            throw BrokerException.Conflict($"User {s.Username} has {vms} VM(s) assigned: free them before deleting the user.");
        }

        // grants and memberships first, each idempotent: a deletion that dies half way is finished by the next attempt
        foreach (var pool in await table.EntitledPoolsAsync(Id))
        {
            await GrainFactory.GetGrain<IPoolGrain>(pool).UnentitleAsync([Id], [], by);
        }

        foreach (var group in await table.GroupsOfAsync(Id))
        {
            await GrainFactory.GetGrain<IGroupGrain>(group).RemoveMembersAsync([Id], by);
        }

        var name = s.Username;
        await table.DeleteAsync(Id);
        await GrainFactory.ForName(name).ReleaseAsync(Id);
        await state.ClearStateAsync();
        state.State = new UserState();
        _groupGrants = null;
        await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"User {name} has been deleted.", EntityType: EntityType.User, EntityId: Id, User: by));
        DeactivateOnIdle();
    }

    /// <summary>Whether the password is the current one or one of the last <paramref name="depth"/> (each check is a full verification).</summary>
    private async Task<bool> ReusesAsync(string password, int depth)
    {
        foreach (var hash in new[] { state.State.PasswordHash }.Concat(state.State.PasswordHistory.Take(depth)))
        {
            if (!string.IsNullOrEmpty(hash) && await hasher.VerifyAsync(state.State, hash, password) != PasswordVerificationResult.Failed)
            {
                return true;
            }
        }

        return false;
    }

    private static DateTimeOffset? Expiry(BrokerSettings settings, DateTimeOffset now) =>
        settings.PasswordExpirationDays > 0 ? now.AddDays(settings.PasswordExpirationDays) : null;

    private Task<BrokerSettings> SettingsAsync() => GrainFactory.GetGrain<ISettingsGrain>(0).GetAsync();

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
            throw BrokerException.NotFound($"no user has the id {Id}");
        }
    }

    private async Task SaveAsync()
    {
        await state.WriteOrForgetAsync(this);
        await table.UpsertAsync(state.State);
    }
}
