using Npgsql;
using Vdi.Shared.Postgres;

namespace Vdi.WebGateway.ThinClients;

/// <summary>What the thin-client API reads in SQL: the user's pools (entitled directly or through a group), favourites, session counts.</summary>
public sealed class ThinClientDirectory(NpgsqlDataSource db)
{
    public sealed record PoolRow(Guid Id, string Name, string OsType, string Status, string[] ConnectionTypes, bool Favorite);

    public async Task<IReadOnlyList<PoolRow>> PoolsForAsync(Guid userId, bool superuser, bool favoritesOnly)
    {
        await using var cmd = db.CreateCommand("""
            select p.id, p.verbose_name, p.os_type, p.status, p.connection_types,
                   exists (select 1 from vdi_user_favorite_pools f where f.user_id = @user and f.pool_id = p.id) as favorite
            from vdi_pools p
            where p.status <> 'DELETING'
              and (@superuser or exists (
                    select 1 from vdi_pool_entitlements e
                    where e.pool_id = p.id
                      and (e.user_id = @user or e.group_id in (select group_id from vdi_group_members where user_id = @user))))
              and (not @favorites or exists (select 1 from vdi_user_favorite_pools f where f.user_id = @user and f.pool_id = p.id))
            order by p.verbose_name
            """);
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("superuser", superuser);
        cmd.Parameters.AddWithValue("favorites", favoritesOnly);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<PoolRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new PoolRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<string[]>(4), reader.GetBoolean(5)));
        }

        return rows;
    }

    public async Task<Guid?> VmOfUserAsync(Guid poolId, Guid userId)
    {
        await using var cmd = db.CreateCommand("select vm_id from vdi_vm_owners where pool_id = @pool and user_id = @user");
        cmd.Parameters.AddWithValue("pool", poolId);
        cmd.Parameters.AddWithValue("user", userId);
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }

    public async Task<int> ActiveCountAsync()
    {
        await using var cmd = db.CreateCommand("select count(*)::int from vdi_tk_sessions where disconnected is null");
        return (int)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<IReadOnlyList<Guid>> ActiveSessionsAsync()
    {
        await using var cmd = db.CreateCommand("select id from vdi_tk_sessions where disconnected is null");
        return await cmd.ReadGuidsAsync();
    }
}
