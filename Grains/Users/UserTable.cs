using Npgsql;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.Grains.Users;

/// <summary>Keeps the queryable <c>vdi_users</c> projection in step with user grain state (idempotent upserts).</summary>
public sealed class UserTable(NpgsqlDataSource db)
{
    private const string UpsertSql = """
        insert into vdi_users (id, username, first_name, last_name, email, is_superuser, is_active, roles,
                               created, updated, last_login, directory_id)
        values (@id, @username, @first_name, @last_name, @email, @is_superuser, @is_active, @roles,
                @created, @updated, @last_login, @directory_id)
        on conflict (id) do update set
            username = excluded.username, first_name = excluded.first_name, last_name = excluded.last_name,
            email = excluded.email, is_superuser = excluded.is_superuser, is_active = excluded.is_active,
            roles = excluded.roles, updated = excluded.updated, last_login = excluded.last_login,
            directory_id = excluded.directory_id
        """;

    public async Task UpsertAsync(UserState user)
    {
        await using var cmd = db.CreateCommand(UpsertSql);
        cmd.Parameters.AddWithValue("id", user.Id);
        cmd.Parameters.AddWithValue("username", user.Username);
        cmd.Parameters.AddWithValue("first_name", user.FirstName);
        cmd.Parameters.AddWithValue("last_name", user.LastName);
        cmd.Parameters.AddWithValue("email", user.Email);
        cmd.Parameters.AddWithValue("is_superuser", user.IsSuperuser);
        cmd.Parameters.AddWithValue("is_active", user.IsActive);
        cmd.Parameters.AddWithValue("roles", user.Roles.Select(r => r.ToWire()).ToArray());
        cmd.Parameters.AddWithValue("created", user.Created);
        cmd.Parameters.AddWithValue("updated", user.Updated);
        cmd.Parameters.AddWithValue("last_login", (object?)user.LastLogin ?? DBNull.Value);
        cmd.Parameters.AddWithValue("directory_id", (object?)user.DirectoryId ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Which of these users come from the directory (a group sync removes only its own directory's users).</summary>
    public async Task<IReadOnlyList<Guid>> OfDirectoryAsync(Guid directoryId, IReadOnlyCollection<Guid> users)
    {
        await using var cmd = db.CreateCommand("select id from vdi_users where directory_id = @d and id = any(@u)");
        cmd.Parameters.AddWithValue("d", directoryId);
        cmd.Parameters.AddWithValue("u", users.ToArray());
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>Marks or unmarks a pool as one of the user's favourites (VeiL Connect's star).</summary>
    public async Task SetFavoriteAsync(Guid userId, Guid poolId, bool favorite)
    {
        await using var cmd = db.CreateCommand(favorite
            ? "insert into vdi_user_favorite_pools (user_id, pool_id) values (@user, @pool) on conflict do nothing"
            : "delete from vdi_user_favorite_pools where user_id = @user and pool_id = @pool");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("pool", poolId);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>What the user's groups grant (roles as their wire names).</summary>
    public async Task<GroupGrants> GroupGrantsAsync(Guid userId)
    {
        await using var cmd = db.CreateCommand("""
            select coalesce(array_agg(distinct r) filter (where r is not null), '{}'), coalesce(array_agg(distinct p) filter (where p is not null), '{}')
            from vdi_group_members m join vdi_groups g on g.id = m.group_id
            left join lateral unnest(g.roles) r on true
            left join lateral unnest(g.tk_permissions) p on true
            where m.user_id = @u
            """);
        cmd.Parameters.AddWithValue("u", userId);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new GroupGrants(reader.GetFieldValue<string[]>(0), reader.GetFieldValue<string[]>(1));
    }

    /// <summary>How many VMs the user holds (a user with VMs is not deleted).</summary>
    public async Task<long> OwnedVmCountAsync(Guid userId)
    {
        await using var cmd = db.CreateCommand("select count(*) from vdi_vm_owners where user_id = @u");
        cmd.Parameters.AddWithValue("u", userId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The pools the user is entitled to directly.</summary>
    public Task<List<Guid>> EntitledPoolsAsync(Guid userId) => GuidsAsync("select pool_id from vdi_pool_entitlements where user_id = @u", userId);

    /// <summary>The groups the user is a member of.</summary>
    public Task<List<Guid>> GroupsOfAsync(Guid userId) => GuidsAsync("select group_id from vdi_group_members where user_id = @u", userId);

    /// <summary>Removes the user's row, favourites and read marks (its sessions and journal events stay, as history).</summary>
    public async Task DeleteAsync(Guid userId)
    {
        await using var batch = db.CreateBatch();
        foreach (var sql in new[] { "delete from vdi_user_favorite_pools where user_id = @u", "delete from vdi_journal_reads where user_id = @u", "delete from vdi_users where id = @u" })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("u", userId);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }

    private async Task<List<Guid>> GuidsAsync(string sql, Guid userId)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.Parameters.AddWithValue("u", userId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<Guid>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetGuid(0));
        }

        return list;
    }
}
