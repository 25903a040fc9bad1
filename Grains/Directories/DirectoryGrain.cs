using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Journal;
using Vdi.Grains.Security;

namespace Vdi.Grains.Directories;

[GrainType("directory")]
public sealed class DirectoryGrain(
    [PersistentState("directory", StorageNames.Main)] IPersistentState<DirectoryState> state,
    SecretProtector secrets,
    LdapDirectoryClient ldap,
    NpgsqlDataSource db,
    JournalWriter journal,
    Microsoft.Extensions.Options.IOptions<DirectoryOptions> options,
    Hosting.ReminderPeriods reminderPeriods,
    TimeProvider time) : Grain, IDirectoryInternalGrain, IRemindable
{
    private const string SyncReminder = "directory-sync";

    private Guid Id => this.GetPrimaryKey();

    private bool CreateUsers => state.State.CreateUsers ?? options.Value.CreateUsersAtFirstLogin;

    public async Task<DirectoryView> CreateAsync(DirectorySettings settings, string by)
    {
        if (state.RecordExists)
        {
            throw BrokerException.Conflict($"directory {Id} already exists");
        }

        if (settings.Kind is null || settings.Servers is null || settings.BaseDn is null || settings.ServiceDn is null || settings.ServicePassword is null)
        {
            throw BrokerException.Invalid(settings.Kind is null ? "kind" : settings.Servers is null ? "servers" : settings.BaseDn is null ? "base_dn"
                : settings.ServiceDn is null ? "service_dn" : "service_password",
                "kind, servers, base_dn, service_dn and service_password are needed for a new directory");
        }

        var next = Apply(new DirectoryState(), settings);
        var now = time.GetUtcNow();
        next.Created = now;
        next.Updated = now;
        await StoreAsync(next, upsert: false);
        await ScheduleSyncAsync();
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Directory {next.VerboseName} has been created.",
            $"{next.Kind} at {string.Join(", ", next.Servers)} ({next.Security}), base {next.BaseDn}.", EntityType.Security, Id, by));
        return View();
    }

    public async Task<DirectoryView> UpdateAsync(DirectorySettings changes, string by)
    {
        RequireExists();
        var before = state.State;
        var next = Apply(Copy(before), changes);
        next.Updated = time.GetUtcNow();
        var audit = new ChangeLog()
            .Note("verbose_name", before.VerboseName, next.VerboseName)
            .Note("kind", before.Kind, next.Kind)
            .NoteList("servers", before.Servers, next.Servers)
            .Note("security", before.Security, next.Security)
            .Note("base_dn", before.BaseDn, next.BaseDn)
            .Note("service_dn", before.ServiceDn, next.ServiceDn)
            .Note("domain", before.Domain, next.Domain)
            .Note("ca_directory", before.CaDirectory, next.CaDirectory)
            .Note("timeout", before.TimeoutSeconds, next.TimeoutSeconds)
            .Note("enabled", before.Enabled, next.Enabled)
            .NoteList("mappings", before.Mappings, next.Mappings, m => $"{m.Priority} {m.Kind.ToWire()} {m.Name}")
            .Note("create_users", before.CreateUsers, next.CreateUsers)
            .NoteList("group_syncs", before.GroupSyncs, next.GroupSyncs, g => $"{g.DirectoryGroup} -> {g.GroupId}")
            .Note("sync_minutes", before.SyncMinutes, next.SyncMinutes)
            .NoteList("trusted_domains", before.TrustedDomains, next.TrustedDomains, t => $"{t.Name} ({t.DnsName}, {t.BaseDn})");
        if (changes.ServicePassword is not null)
        {
            audit.Add("service_password: changed");
        }

        await StoreAsync(next, upsert: true);
        await ScheduleSyncAsync();
        if (!audit.IsEmpty)
        {
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Directory {next.VerboseName} has been changed.", audit.ToString(), EntityType.Security, Id, by));
        }

        return View();
    }

    public Task<DirectoryView?> GetAsync() => Task.FromResult(state.RecordExists ? View() : null);

    public async Task DeleteAsync(string by)
    {
        RequireExists();
        var name = state.State.VerboseName;
        await using (var cmd = db.CreateCommand("delete from vdi_directories where id = @id"))
        {
            cmd.Parameters.AddWithValue("id", Id);
            await cmd.ExecuteNonQueryAsync();
        }

        await state.ClearStateAsync();
        if (await this.GetReminder(SyncReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"Directory {name} has been deleted.", EntityType: EntityType.Security, EntityId: Id, User: by));
        DeactivateOnIdle();
    }

    public async Task<DirectoryCheck> TestAsync()
    {
        RequireExists();
        var result = await ldap.TestAsync(Connection());
        return new DirectoryCheck(result.Outcome, result.Detail);
    }

    public async Task<DirectoryLogin> AuthenticateAsync(string typed, string password)
    {
        if (!state.RecordExists)
        {
            return new DirectoryLogin(DirectoryOutcome.Unreachable, "the user's directory has been removed", Enabled: false, Removed: true);
        }

        if (!state.State.Enabled)
        {
            return new DirectoryLogin(DirectoryOutcome.Unreachable, $"the directory {state.State.VerboseName} is disabled", Enabled: false);
        }

        var trusted = DirectoryNames.TrustedOf(typed, state.State.TrustedDomains);
        return LoginConnection(trusted) is { } connection
            ? Verdict(await ldap.AuthenticateAsync(connection, typed, password), trusted)
            : Undecryptable();
    }

    /// <summary>The connection for a login, or null when the service password cannot be decrypted (a login then says "unreachable", not 409).</summary>
    private DirectoryConnection? LoginConnection(TrustedDomain? trusted)
    {
        try
        {
            return Connection(trusted);
        }
        catch (BrokerException e) when (e.Kind == ErrorKind.WrongStatus)
        {
            return null;
        }
    }

    private DirectoryLogin Undecryptable() =>
        new(DirectoryOutcome.Unreachable, $"the service password of directory {state.State.VerboseName} cannot be decrypted (the key ring changed): set it again");

    /// <summary>The directory's answer as a login verdict, with the broker groups of the first mapping that matches.</summary>
    private DirectoryLogin Verdict(DirectoryResult result, TrustedDomain? trusted)
    {
        var domain = trusted?.Name ?? state.State.Domain;
        if (result.User is not { } user)
        {
            return new DirectoryLogin(result.Outcome, result.Detail, Domain: domain);
        }

        // the first mapping that matches, in priority order, decides the broker groups (the original's assign_veil_roles)
        var mapping = state.State.Mappings.OrderBy(m => m.Priority).FirstOrDefault(m => m.Matches(user.Account, user.Dn, user.Groups));
        var account = trusted is null ? user.Account : DirectoryNames.Qualified(user.Account, trusted);
        return new DirectoryLogin(result.Outcome, result.Detail, account, user.FirstName, user.LastName, user.Email, user.Groups, domain,
            MappedGroups: mapping?.Groups ?? [], CreateUsers: CreateUsers);
    }

    public async Task<DirectoryLogin> ResolveAsync(string account)
    {
        if (!state.RecordExists || !state.State.Enabled)
        {
            return new DirectoryLogin(DirectoryOutcome.Unreachable, "the directory is removed or disabled", Enabled: false, Removed: !state.RecordExists);
        }

        return LoginConnection(null) is { } connection ? Verdict(await ldap.ResolveAsync(connection, account), null) : Undecryptable();
    }

    public async Task<DirectoryMembers> MembersAsync(string? group, CancellationToken cancellation = default)
    {
        RequireExists();
        var (result, users) = await ldap.MembersAsync(Connection(), group, cancellation);
        return new DirectoryMembers(result.Outcome, result.Detail, [.. users.Select(u => new DirectoryMember(u.Account, u.FirstName, u.LastName, u.Email))]);
    }

    public Task<DomainJoin?> DomainJoinAsync(string adOu) =>
        Task.FromResult(state.RecordExists && state.State is { Enabled: true, Kind: DirectoryKind.ActiveDirectory } ? DomainJoin.For(Connection(), adOu) : null);

    public async Task<ComputerRemoval> RemoveComputersAsync(IReadOnlyList<string> names)
    {
        RequireExists();
        return await ldap.RemoveComputersAsync(Connection(), names);
    }

    public async Task<Guid> SynchronizeGroupAsync(string directoryGroup, Guid groupId, string by)
    {
        RequireExists();
        var name = (directoryGroup ?? "").Trim();
        if (name.Length is 0 or > 512 || name.Any(char.IsControl))
        {
            throw BrokerException.Invalid("directory_group", "directory_group: a group's name or DN, 1 to 512 characters");
        }

        if (await GrainFactory.GetGrain<IGroupGrain>(groupId).GetAsync() is null)
        {
            throw BrokerException.NotFound($"no group has the id {groupId}");
        }

        return await StartTaskAsync(GroupSync(name, groupId, by));
    }

    private BrokerTaskRequest GroupSync(string directoryGroup, Guid groupId, string by) => new()
    {
        Type = BrokerTaskType.AdSynchronizeGroup, EntityId = Id, Creator = by, DirectoryGroup = directoryGroup, GroupId = groupId,
    };

    public Task<Guid> SynchronizeUsersAsync(string by)
    {
        RequireExists();
        return StartTaskAsync(new BrokerTaskRequest { Type = BrokerTaskType.LdapSynchronizeUsers, EntityId = Id, Creator = by });
    }

    private async Task<Guid> StartTaskAsync(BrokerTaskRequest request)
    {
        var task = Guid.NewGuid();
        await GrainFactory.GetGrain<ITaskGrain>(task).StartAsync(request);
        return task;
    }

    /// <summary>The scheduled re-sync: each configured group, as a task of its own (progress and cancel as any task).</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!state.RecordExists || !state.State.Enabled || state.State.GroupSyncs.Count == 0 || state.State.SyncMinutes == 0)
        {
            await ScheduleSyncAsync();
            return;
        }

        foreach (var sync in state.State.GroupSyncs)
        {
            if (await GrainFactory.GetGrain<IGroupGrain>(sync.GroupId).GetAsync() is not null)
            {
                await StartTaskAsync(GroupSync(sync.DirectoryGroup, sync.GroupId, "system"));
            }
        }
    }

    private async Task ScheduleSyncAsync()
    {
        var s = state.State;
        if (state.RecordExists && s.Enabled && s.GroupSyncs.Count > 0 && s.SyncMinutes > 0)
        {
            var period = reminderPeriods.AtLeastMinimum(TimeSpan.FromMinutes(s.SyncMinutes));
            await this.RegisterOrUpdateReminder(SyncReminder, period, period);
        }
        else if (await this.GetReminder(SyncReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>The connection as the LDAP client needs it (the service password decrypted, in memory only).</summary>
    internal DirectoryConnection Connection(TrustedDomain? trusted = null)
    {
        var s = state.State;
        var password = secrets.UnprotectDirectoryPassword(s.ProtectedServicePassword)
            ?? throw BrokerException.WrongStatus("the directory's service password cannot be decrypted (the key ring changed): set it again", "service_password");
        IReadOnlyList<string> servers = trusted?.Servers is { Count: > 0 } own ? own : s.Servers;
        return new DirectoryConnection(s.Kind, [.. servers], s.Security, trusted?.BaseDn ?? s.BaseDn, s.ServiceDn, password,
            s.CaDirectory.Length > 0 ? s.CaDirectory : null, Timeout: TimeSpan.FromSeconds(s.TimeoutSeconds));
    }

    /// <summary>Every field checked before anything changes: a refusal leaves the directory as it was.</summary>
    private DirectoryState Apply(DirectoryState s, DirectorySettings c)
    {
        if (c.VerboseName is not null)
        {
            s.VerboseName = Text(c.VerboseName, 128, "verbose_name", required: true);
        }
        else if (s.VerboseName.Length == 0)
        {
            throw BrokerException.Invalid("verbose_name", "verbose_name: 1 to 128 characters");
        }

        if (c.Kind is { } kind)
        {
            s.Kind = Enum.IsDefined(kind) ? kind : throw BrokerException.Invalid("kind", "kind: ACTIVE_DIRECTORY, FREE_IPA or OPEN_LDAP");
        }

        if (c.Security is { } security)
        {
            s.Security = Enum.IsDefined(security) ? security : throw BrokerException.Invalid("security", "security: NONE, LDAPS or START_TLS");
        }

        if (c.Servers is { } servers)
        {
            var list = servers.Select(x => (x ?? "").Trim()).Where(x => x.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (list.Count is 0 or > 8 || list.Any(x => x.Length > 255 || !ValidServer(x)))
            {
                throw BrokerException.Invalid("servers", "servers: 1 to 8 host names or IP addresses, each optionally with :port");
            }

            s.Servers = list;
        }

        if (c.BaseDn is not null)
        {
            s.BaseDn = Dn(c.BaseDn, "base_dn");
        }

        if (c.ServiceDn is not null)
        {
            s.ServiceDn = Dn(c.ServiceDn, "service_dn");
        }

        if (c.ServicePassword is { } password)
        {
            s.ProtectedServicePassword = password.Length is > 0 and <= 1024
                ? secrets.ProtectDirectoryPassword(password)
                : throw BrokerException.Invalid("service_password", "service_password: 1 to 1024 characters");
        }

        if (c.Domain is not null)
        {
            s.Domain = Text(c.Domain, 255, "domain", required: false);
        }

        if (c.CaDirectory is not null)
        {
            s.CaDirectory = Text(c.CaDirectory, 1024, "ca_directory", required: false);
        }

        if (c.TimeoutSeconds is { } timeout)
        {
            s.TimeoutSeconds = timeout is >= 1 and <= 120 ? timeout : throw BrokerException.Invalid("timeout", "timeout: 1 to 120 seconds");
        }

        if (c.Enabled is { } enabled)
        {
            s.Enabled = enabled;
        }

        if (c.Mappings is { } mappings)
        {
            if (mappings.Count > 100)
            {
                throw BrokerException.Invalid("mappings", "mappings: at most 100");
            }

            s.Mappings = [.. mappings.Select(m => new DirectoryMapping(
                Text(m.Name ?? "", 128, "mappings", required: true),
                Enum.IsDefined(m.Kind) ? m.Kind : throw BrokerException.Invalid("mappings", "mappings: kind USER, OU or GROUP"),
                m.Values is { Count: > 0 and <= 100 } values && values.All(v => !string.IsNullOrWhiteSpace(v) && v.Length <= 255)
                    ? [.. values.Select(v => v.Trim())]
                    : throw BrokerException.Invalid("mappings", "mappings: 1 to 100 values of at most 255 characters each"),
                m.Groups is { Count: > 0 and <= 100 } groups ? [.. groups.Distinct()] : throw BrokerException.Invalid("mappings", "mappings: 1 to 100 broker groups each"),
                m.Priority is >= 0 and <= 10_000 ? m.Priority : throw BrokerException.Invalid("mappings", "mappings: priority 0 to 10000")))];
        }

        if (c.CreateUsers is { } create)
        {
            s.CreateUsers = create;
        }

        if (c.SyncMinutes is { } minutes)
        {
            s.SyncMinutes = minutes is >= 0 and <= 10_080 ? minutes : throw BrokerException.Invalid("sync_minutes", "sync_minutes: 0 (off) to 10080 (a week)");
        }

        if (c.TrustedDomains is { } trustedDomains)
        {
            if (trustedDomains.Count > 20 || trustedDomains.Any(t => t is null))
            {
                throw BrokerException.Invalid("trusted_domains", "trusted_domains: at most 20");
            }

            s.TrustedDomains = [.. trustedDomains.Select(t => new TrustedDomain(
                Text(t.Name ?? "", 64, "trusted_domains", required: true),
                Uri.CheckHostName((t.DnsName ?? "").Trim()) == UriHostNameType.Dns ? t.DnsName!.Trim() : throw BrokerException.Invalid("trusted_domains", "trusted_domains: dns_name must be a DNS name"),
                Dn(t.BaseDn ?? "", "trusted_domains"),
                t.Servers is { Count: > 0 } servers2
                    ? servers2.Count <= 8 && servers2.All(x => x is { Length: > 0 and <= 255 } && ValidServer(x.Trim())) ? [.. servers2.Select(x => x.Trim())]
                        : throw BrokerException.Invalid("trusted_domains", "trusted_domains: 1 to 8 servers, each a host name or address with an optional :port")
                    : null))];
            if (s.TrustedDomains.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1)
                || s.TrustedDomains.GroupBy(t => t.DnsName, StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
            {
                throw BrokerException.Invalid("trusted_domains", "trusted_domains: each name and dns_name once");
            }
        }

        if (c.GroupSyncs is { } syncs)
        {
            s.GroupSyncs = syncs.Count <= 100 && syncs.All(g => g is not null && !string.IsNullOrWhiteSpace(g.DirectoryGroup) && g.DirectoryGroup.Length <= 512
                    && !g.DirectoryGroup.Any(char.IsControl) && g.GroupId != Guid.Empty)
                ? [.. syncs.Select(g => g with { DirectoryGroup = g.DirectoryGroup.Trim() }).Distinct()]
                : throw BrokerException.Invalid("group_syncs", "group_syncs: at most 100, each a directory group (1 to 512 characters) and a broker group_id");
        }

        return s;
    }

    private static bool ValidServer(string server)
    {
        var colon = server.LastIndexOf(':');
        var host = colon > 0 ? server[..colon] : server;
        return (colon <= 0 || (int.TryParse(server[(colon + 1)..], out var port) && port is > 0 and < 65536))
            && Uri.CheckHostName(host) is not UriHostNameType.Unknown;
    }

    private static string Dn(string value, string field)
    {
        var dn = value.Trim();
        return dn.Length is > 0 and <= 512 && dn.Contains('=', StringComparison.Ordinal) && !dn.Any(char.IsControl)
            ? dn
            : throw BrokerException.Invalid(field, $"{field}: a distinguished name such as dc=example,dc=org (at most 512 characters)");
    }

    private static string Text(string value, int max, string field, bool required)
    {
        var text = value.Trim();
        return (text.Length <= max && (!required || text.Length > 0)) && !text.Any(char.IsControl)
            ? text
            : throw BrokerException.Invalid(field, $"{field}: {(required ? 1 : 0)} to {max} characters");
    }

    /// <summary>The row first (it reserves the name), then the state; a failed state write takes a new row back.</summary>
    private async Task StoreAsync(DirectoryState next, bool upsert)
    {
        await using (var cmd = db.CreateCommand("""
            insert into vdi_directories (id, verbose_name, kind, domain, servers, enabled, created, updated)
            values (@id, @name, @kind, @domain, @servers, @enabled, @created, @updated)
            on conflict (id) do update set verbose_name = excluded.verbose_name, kind = excluded.kind, domain = excluded.domain,
                servers = excluded.servers, enabled = excluded.enabled, updated = excluded.updated
            """))
        {
            cmd.Parameters.AddWithValue("id", Id);
            cmd.Parameters.AddWithValue("name", next.VerboseName);
            cmd.Parameters.AddWithValue("kind", next.Kind.ToWire());
            cmd.Parameters.AddWithValue("domain", next.Domain);
            cmd.Parameters.AddWithValue("servers", next.Servers.ToArray());
            cmd.Parameters.AddWithValue("enabled", next.Enabled);
            cmd.Parameters.AddWithValue("created", next.Created);
            cmd.Parameters.AddWithValue("updated", next.Updated);
            try
            {
                await cmd.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw BrokerException.Conflict($"verbose_name: another directory is already named {next.VerboseName}", "verbose_name");
            }
        }

        state.State = next;
        try
        {
            await state.WriteOrForgetAsync(this); // a failed write deactivates: the next activation reads what is stored
        }
        catch
        {
            if (!upsert)
            {
                await using var undo = db.CreateCommand("delete from vdi_directories where id = @id");
                undo.Parameters.AddWithValue("id", Id);
                await undo.ExecuteNonQueryAsync();
            }

            throw;
        }
    }

    private static DirectoryState Copy(DirectoryState s) => new()
    {
        VerboseName = s.VerboseName, Kind = s.Kind, Servers = [.. s.Servers], Security = s.Security, BaseDn = s.BaseDn, ServiceDn = s.ServiceDn,
        ProtectedServicePassword = s.ProtectedServicePassword, Domain = s.Domain, CaDirectory = s.CaDirectory, TimeoutSeconds = s.TimeoutSeconds,
        Enabled = s.Enabled, Created = s.Created, Updated = s.Updated, Mappings = [.. s.Mappings],
        CreateUsers = s.CreateUsers, GroupSyncs = [.. s.GroupSyncs], SyncMinutes = s.SyncMinutes, TrustedDomains = [.. s.TrustedDomains],
    };

    private DirectoryView View()
    {
        var s = state.State;
        return new DirectoryView(Id, s.VerboseName, s.Kind, [.. s.Servers], s.Security, s.BaseDn, s.ServiceDn, s.ProtectedServicePassword.Length > 0,
            s.Domain, s.CaDirectory, s.TimeoutSeconds, s.Enabled, s.Created, s.Updated, [.. s.Mappings.OrderBy(m => m.Priority)],
            CreateUsers, [.. s.GroupSyncs], s.SyncMinutes, [.. s.TrustedDomains]);
    }

    private void RequireExists()
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"no directory has the id {Id}");
        }
    }
}
