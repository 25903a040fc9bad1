using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Shared.Postgres;

namespace Vdi.Grains.Pools;

/// <summary>
/// The pool projections and the queries the pool grain answers from SQL: VM counts, the next free VM (the index of
/// free VMs is vdi_vms itself, so a pool of 10,000 VMs never loads them into memory), entitlements.
/// </summary>
public sealed class PoolTable(NpgsqlDataSource db)
{
    public async Task UpsertAsync(Guid id, PoolState p)
    {
        await using var cmd = db.CreateCommand("""
            insert into vdi_pools (id, verbose_name, pool_type, status, controller_id, template_id, total_size, reserve_size, created, updated, os_type, connection_types)
            values (@id, @name, @type, @status, @controller, @template, @total, @reserve, @created, @updated, @os, @connections)
            on conflict (id) do update set verbose_name = excluded.verbose_name, status = excluded.status,
                total_size = excluded.total_size, reserve_size = excluded.reserve_size, updated = excluded.updated,
                os_type = excluded.os_type, connection_types = excluded.connection_types
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("name", p.VerboseName);
        cmd.Parameters.AddWithValue("type", p.PoolType.ToWire());
        cmd.Parameters.AddWithValue("status", p.Status.ToWire());
        cmd.Parameters.AddWithValue("controller", p.ControllerId);
        cmd.Parameters.AddWithValue("template", p.TemplateId is { } t ? t : DBNull.Value);
        cmd.Parameters.AddWithValue("total", p.TotalSize);
        cmd.Parameters.AddWithValue("reserve", p.ReserveSize);
        cmd.Parameters.AddWithValue("created", p.Created);
        cmd.Parameters.AddWithValue("updated", p.Updated);
        cmd.Parameters.AddWithValue("os", p.OsType);
        cmd.Parameters.AddWithValue("connections", p.ConnectionTypes.Select(c => c.ToWire()).ToArray());
        try
        {
            await cmd.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new BrokerException(ErrorKind.Conflict, $"verbose_name: another pool is already named {p.VerboseName}", "verbose_name");
        }
    }

    public async Task<Guid?> FindByNameAsync(string name)
    {
        await using var cmd = db.CreateCommand("select id from vdi_pools where lower(verbose_name) = lower(@name)");
        cmd.Parameters.AddWithValue("name", name);
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }

    public async Task DeleteAsync(Guid id)
    {
        await using var cmd = db.CreateCommand("delete from vdi_pool_entitlements where pool_id = @id; delete from vdi_pools where id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>How many VMs the pool has (an index count; <see cref="CountsAsync"/> is the full breakdown).</summary>
    public async Task<int> VmCountAsync(Guid poolId)
    {
        await using var cmd = db.CreateCommand("select count(*)::int from vdi_vms where pool_id = @id");
        cmd.Parameters.AddWithValue("id", poolId);
        return (int)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<PoolCounts> CountsAsync(Guid poolId)
    {
        await using var cmd = db.CreateCommand("""
            select count(*)::int,
                   count(*) filter (where v.status = 'ACTIVE' and not exists (select 1 from vdi_vm_owners o where o.vm_id = v.id))::int,
                   (select count(distinct vm_id) from vdi_vm_owners o where o.pool_id = @id)::int,
                   count(*) filter (where v.status = 'RESERVED')::int
            from vdi_vms v where v.pool_id = @id
            """);
        cmd.Parameters.AddWithValue("id", poolId);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new PoolCounts(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
    }

    /// <summary>Free VMs of the pool (ACTIVE, no owner), running ones first, then by name, leaving out <paramref name="excluded"/> (those being handed out now).</summary>
    public async Task<IReadOnlyList<Guid>> FreeVmsAsync(Guid poolId, int limit, IReadOnlyCollection<Guid>? excluded = null)
    {
        await using var cmd = db.CreateCommand("""
            select v.id from vdi_vms v
            where v.pool_id = @id and v.status = 'ACTIVE'
              and not exists (select 1 from vdi_vm_owners o where o.vm_id = v.id)
              and not (v.id = any(@excluded))
            order by (v.power_state = 3) desc, v.verbose_name
            limit @limit
            """);
        cmd.Parameters.AddWithValue("id", poolId);
        cmd.Parameters.AddWithValue("limit", limit);
        cmd.Parameters.AddWithValue("excluded", (excluded ?? []).ToArray());
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>The pool's ACTIVE VMs (RESERVED and FAILED left out), by name: an RDS pool's hosts in rotation.</summary>
    public async Task<IReadOnlyList<Guid>> ActiveVmsAsync(Guid poolId)
    {
        await using var cmd = db.CreateCommand("select id from vdi_vms where pool_id = @id and status = 'ACTIVE' order by verbose_name, id");
        cmd.Parameters.AddWithValue("id", poolId);
        return await cmd.ReadGuidsAsync();
    }

    public async Task<Guid?> VmOfUserAsync(Guid poolId, Guid userId)
    {
        await using var cmd = db.CreateCommand("select vm_id from vdi_vm_owners where pool_id = @pool and user_id = @user");
        cmd.Parameters.AddWithValue("pool", poolId);
        cmd.Parameters.AddWithValue("user", userId);
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }

    public async Task<bool> IsMemberOfAnyAsync(Guid userId, IReadOnlyCollection<Guid> groups)
    {
        if (groups.Count == 0)
        {
            return false;
        }

        await using var cmd = db.CreateCommand("select exists (select 1 from vdi_group_members where user_id = @user and group_id = any(@groups))");
        cmd.Parameters.AddWithValue("user", userId);
        cmd.Parameters.AddWithValue("groups", groups.ToArray());
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<IReadOnlyList<Guid>> MembersOfAsync(IReadOnlyCollection<Guid> groups)
    {
        if (groups.Count == 0)
        {
            return [];
        }

        await using var cmd = db.CreateCommand("select distinct user_id from vdi_group_members where group_id = any(@groups)");
        cmd.Parameters.AddWithValue("groups", groups.ToArray());
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>The names of these users and groups, for the journal (an id that names nobody is shown as the id).</summary>
    public async Task<string> NamesAsync(IReadOnlyCollection<Guid> users, IReadOnlyCollection<Guid> groups)
    {
        await using var cmd = db.CreateCommand("""
            select coalesce((select string_agg(coalesce(u.username, i::text), ', ' order by coalesce(u.username, i::text))
                             from unnest(@users) i left join vdi_users u on u.id = i), ''),
                   coalesce((select string_agg(coalesce(g.verbose_name, i::text), ', ' order by coalesce(g.verbose_name, i::text))
                             from unnest(@groups) i left join vdi_groups g on g.id = i), '')
            """);
        cmd.Parameters.AddWithValue("users", users.ToArray());
        cmd.Parameters.AddWithValue("groups", groups.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (u, g) = (reader.GetString(0), reader.GetString(1));
        return string.Join(" ", new[] { u.Length > 0 ? $"Users: {u}." : "", g.Length > 0 ? $"Groups: {g}." : "" }.Where(x => x.Length > 0));
    }

    public async Task SetEntitlementsAsync(Guid poolId, IReadOnlyCollection<Guid> users, IReadOnlyCollection<Guid> groups)
    {
        await using var batch = db.CreateBatch();
        var delete = new NpgsqlBatchCommand("delete from vdi_pool_entitlements where pool_id = @pool");
        delete.Parameters.AddWithValue("pool", poolId);
        batch.BatchCommands.Add(delete);
        foreach (var (user, group) in users.Select(u => ((Guid?)u, (Guid?)null)).Concat(groups.Select(g => ((Guid?)null, (Guid?)g))))
        {
            var insert = new NpgsqlBatchCommand("insert into vdi_pool_entitlements (pool_id, user_id, group_id) values (@pool, @user, @group)");
            insert.Parameters.AddWithValue("pool", poolId);
            insert.Parameters.AddWithValue("user", user is { } u ? u : DBNull.Value);
            insert.Parameters.AddWithValue("group", group is { } g ? g : DBNull.Value);
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<Guid>> ListIdsByControllerAsync(Guid controllerId)
    {
        await using var cmd = db.CreateCommand("select id from vdi_pools where controller_id = @id");
        cmd.Parameters.AddWithValue("id", controllerId);
        return await cmd.ReadGuidsAsync();
    }
}
