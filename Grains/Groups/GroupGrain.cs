using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Journal;

namespace Vdi.Grains.Groups;

[GrainType("group")]
public sealed class GroupGrain(
    [PersistentState("group", StorageNames.Main)] IPersistentState<GroupState> state,
    NpgsqlDataSource db,
    JournalWriter journal) : Grain, IGroupInternalGrain
{
    private Guid Id => this.GetPrimaryKey();

    public async Task<GroupView> CreateAsync(string verboseName, string description, string user)
    {
        var name = (verboseName ?? "").Trim();
        if (name.Length is 0 or > 128)
        {
            throw BrokerException.Invalid("verbose_name", "verbose_name must be 1 to 128 characters");
        }

        if (state.RecordExists)
        {
            throw BrokerException.Conflict($"group {Id} already exists");
        }

        await using (var cmd = db.CreateCommand("insert into vdi_groups (id, verbose_name, description) values (@id, @name, @description)"))
        {
            cmd.Parameters.AddWithValue("id", Id);
            cmd.Parameters.AddWithValue("name", name);
            cmd.Parameters.AddWithValue("description", description ?? "");
            try
            {
                await cmd.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw BrokerException.Conflict($"verbose_name: another group is already named {name}", "verbose_name");
            }
        }

        state.State.VerboseName = name;
        state.State.Description = description ?? "";
        await state.WriteOrForgetAsync(this);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Group {name} has been created.", EntityType: EntityType.Group, EntityId: Id, User: user));
        return View();
    }

    public Task<GroupView?> GetAsync() => Task.FromResult(state.RecordExists ? View() : null);

    public Task<GroupView> AddMembersAsync(IReadOnlyList<Guid> users, string user) => ChangeAsync(users, add: true, user);

    public async Task<bool> JoinAsync(Guid userId, string username, string by)
    {
        if (!state.RecordExists)
        {
            return false;
        }

        if (state.State.Members.Add(userId))
        {
            await state.WriteOrForgetAsync(this);
        }

        // the row too, even when the state had it (the table catches up after a crash between the two)
        await using var cmd = db.CreateCommand("insert into vdi_group_members (group_id, user_id) values (@g, @u) on conflict do nothing");
        cmd.Parameters.AddWithValue("g", Id);
        cmd.Parameters.AddWithValue("u", userId);
        if (await cmd.ExecuteNonQueryAsync() > 0)
        {
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"Users added to group {state.State.VerboseName}.", username, EntityType.Group, Id, by));
        }

        return true;
    }

    public Task<GroupView> RemoveMembersAsync(IReadOnlyList<Guid> users, string user) => ChangeAsync(users, add: false, user);

    private async Task<GroupView> ChangeAsync(IReadOnlyList<Guid> users, bool add, string by)
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"no group has the id {Id}");
        }

        var changed = false;
        foreach (var u in users)
        {
            changed |= add ? state.State.Members.Add(u) : state.State.Members.Remove(u);
        }

        if (changed)
        {
            await state.WriteOrForgetAsync(this);
        }

        // every row is written even when the state did not change (the table catches up after a crash between the
        // two), and the members told are those whose row changed: the table is what their grains read grants from
        await using var batch = db.CreateBatch();
        foreach (var u in users)
        {
            var command = new NpgsqlBatchCommand(add
                ? "insert into vdi_group_members (group_id, user_id) values (@g, @u) on conflict do nothing"
                : "delete from vdi_group_members where group_id = @g and user_id = @u");
            command.Parameters.AddWithValue("g", Id);
            command.Parameters.AddWithValue("u", u);
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync();
        }

        var changedUsers = users.Where((_, i) => batch.BatchCommands[i].RecordsAffected > 0).ToList();
        await TellMembersAsync(changedUsers);
        if (changedUsers.Count > 0)
        {
            var names = await UsernamesAsync(changedUsers);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
                add ? $"Users added to group {state.State.VerboseName}." : $"Users removed from group {state.State.VerboseName}.",
                string.Join(", ", names), EntityType.Group, Id, by));
        }

        return View();
    }

    public async Task<GroupView> UpdateAsync(GroupChanges changes, string user)
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"no group has the id {Id}");
        }

        var s = state.State;
        var name = changes.VerboseName?.Trim() ?? s.VerboseName;
        if (name.Length is 0 or > 128)
        {
            throw BrokerException.Invalid("verbose_name", "verbose_name must be 1 to 128 characters");
        }

        var permissions = UserView.ValidTkPermissions(changes.TkPermissions ?? s.TkPermissions);

        var roles = changes.Roles ?? s.Roles;
        await using (var cmd = db.CreateCommand(
            "update vdi_groups set verbose_name = @name, description = @description, roles = @roles, tk_permissions = @permissions where id = @id"))
        {
            cmd.Parameters.AddWithValue("id", Id);
            cmd.Parameters.AddWithValue("name", name);
            cmd.Parameters.AddWithValue("description", changes.Description ?? s.Description);
            cmd.Parameters.AddWithValue("roles", roles.Distinct().Select(r => r.ToWire()).ToArray());
            cmd.Parameters.AddWithValue("permissions", permissions.ToArray());
            try
            {
                await cmd.ExecuteNonQueryAsync();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw BrokerException.Conflict($"verbose_name: another group is already named {name}", "verbose_name");
            }
        }

        var grantsChanged = !roles.Distinct().Order().SequenceEqual(s.Roles.Order()) || !permissions.Order().SequenceEqual(s.TkPermissions.Order());
        var audit = new ChangeLog()
            .Note("verbose_name", s.VerboseName, name)
            .Note("description", s.Description, changes.Description ?? s.Description)
            .NoteList("roles", s.Roles, roles.Distinct(), r => r.ToWire())
            .NoteList("tk_permissions", s.TkPermissions, permissions);
        s.VerboseName = name;
        s.Description = changes.Description ?? s.Description;
        s.Roles = [.. roles.Distinct()];
        s.TkPermissions = [.. permissions];
        await state.WriteOrForgetAsync(this);
        if (grantsChanged)
        {
            await TellMembersAsync(s.Members);
        }

        if (!audit.IsEmpty)
        {
            await journal.WriteAsync(new JournalEntry(grantsChanged ? JournalLevel.Warning : JournalLevel.Info, $"Group {name} has been changed.",
                audit.ToString(), EntityType.Group, Id, user));
        }

        return View();
    }

    public async Task DeleteAsync(string user)
    {
        if (!state.RecordExists)
        {
            throw BrokerException.NotFound($"no group has the id {Id}");
        }

        // pool grants first, then the members' rows, then the group: each step idempotent, so a deletion that dies half
        // way is finished by the next attempt
        var pools = new List<Guid>();
        await using (var cmd = db.CreateCommand("select pool_id from vdi_pool_entitlements where group_id = @g"))
        {
            cmd.Parameters.AddWithValue("g", Id);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                pools.Add(reader.GetGuid(0));
            }
        }

        foreach (var pool in pools)
        {
            await GrainFactory.GetGrain<Interfaces.Pools.IPoolGrain>(pool).UnentitleAsync([], [Id], user);
        }

        var members = state.State.Members.ToList();
        await using (var cmd = db.CreateCommand("delete from vdi_group_members where group_id = @g; delete from vdi_groups where id = @g"))
        {
            cmd.Parameters.AddWithValue("g", Id);
            await cmd.ExecuteNonQueryAsync();
        }

        await TellMembersAsync(members);
        var name = state.State.VerboseName;
        await state.ClearStateAsync();
        state.State = new GroupState();
        await journal.WriteAsync(new JournalEntry(JournalLevel.Warning, $"Group {name} has been deleted.",
            members.Count > 0 ? $"{members.Count} member(s)." : "", EntityType.Group, Id, user));
        DeactivateOnIdle();
    }

    private async Task<List<string>> UsernamesAsync(List<Guid> users)
    {
        await using var cmd = db.CreateCommand("select username from vdi_users where id = any(@ids) order by username");
        cmd.Parameters.AddWithValue("ids", users.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Members' grains keep what their groups grant in memory: they read it again on their next use.</summary>
    private Task TellMembersAsync(IEnumerable<Guid> users) =>
        Task.WhenAll(users.Select(u => GrainFactory.GetGrain<IUserGrain>(u).GroupsChangedAsync()));

    private GroupView View() => new(Id, state.State.VerboseName, state.State.Description, [.. state.State.Members], [.. state.State.Roles], [.. state.State.TkPermissions]);
}
