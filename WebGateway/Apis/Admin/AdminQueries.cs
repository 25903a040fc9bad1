using Vdi.WebGateway.Data;
using Npgsql;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The admin lists, paged and sorted in SQL over the grains' projections (vdi_*), so a pool of 10,000 VMs or a year
/// of tasks never activates a grain per row.
/// </summary>
public sealed class AdminQueries(NpgsqlDataSource db)
{
    public const int MaxLimit = 1000;

    public sealed record Page(long Count, IReadOnlyList<Dictionary<string, object?>> Results);

    public Task<Page> ControllersAsync(int limit, int offset) => PageAsync(
        "from vdi_controllers", "verbose_name",
        "id, verbose_name, address, description, status, version, created, updated", [], limit, offset);

    public Task<Page> PoolsAsync(string? status, Guid? controllerId, string ordering, int limit, int offset)
    {
        var order = ordering switch
        {
            "verbose_name" or "-verbose_name" or "created" or "-created" or "status" or "-status" => ordering.StartsWith('-') ? $"p.{ordering[1..]} desc" : $"p.{ordering}",
            _ => "p.verbose_name",
        };
        return PageAsync(
            "from vdi_pools p where (@status::text is null or p.status = @status::text) and (@controller::uuid is null or p.controller_id = @controller::uuid)",
            order,
            "p.id, p.verbose_name, p.pool_type, p.status, p.controller_id, p.total_size, p.reserve_size, p.created, (select count(*) from vdi_vms v where v.pool_id = p.id) as vm_count, (select count(*) from vdi_vm_owners o where o.pool_id = p.id) as users_count",
            [("status", (object?)status ?? DBNull.Value), ("controller", controllerId is { } c ? c : DBNull.Value)], limit, offset);
    }

    public Task<Page> PoolVmsAsync(Guid poolId, int limit, int offset) => PageAsync(
        "from vdi_vms v where v.pool_id = @pool", "v.verbose_name",
        "v.id, v.verbose_name, v.status, v.power_state, v.created_by_broker, v.updated, coalesce((select array_agg(o.user_id) from vdi_vm_owners o where o.vm_id = v.id), '{}') as owners",
        [("pool", poolId)], limit, offset);

    public Task<Page> TasksAsync(string? status, string? type, Guid? poolId, int limit, int offset) => PageAsync(
        "from vdi_tasks t where (@status::text is null or t.status = @status::text) and (@type::text is null or t.task_type = @type::text) and (@pool::uuid is null or t.pool_id = @pool::uuid)",
        "t.created desc",
        "t.id, t.entity_id, t.pool_id, t.task_type, t.status, t.progress, t.message, t.creator, t.created, t.started, t.finished, t.resumable, t.priority",
        [("status", (object?)status ?? DBNull.Value), ("type", (object?)type ?? DBNull.Value), ("pool", poolId is { } p ? p : DBNull.Value)], limit, offset);

    public async Task<IReadOnlyList<Guid>> UnfinishedTasksAsync(Guid? poolId, Guid? controllerId)
    {
        await using var cmd = db.CreateCommand("""
            select t.id from vdi_tasks t left join vdi_pools p on p.id = t.pool_id
            where t.status in ('INITIAL', 'IN_PROGRESS')
              and (@pool::uuid is null or t.pool_id = @pool::uuid)
              and (@controller::uuid is null or p.controller_id = @controller::uuid)
            """);
        cmd.Parameters.AddWithValue("pool", poolId is { } p ? p : DBNull.Value);
        cmd.Parameters.AddWithValue("controller", controllerId is { } c ? c : DBNull.Value);
        return await cmd.ReadGuidsAsync();
    }

    private async Task<Page> PageAsync(string from, string order, string columns, (string Name, object Value)[] parameters, int limit, int offset)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        offset = Math.Max(0, offset);
        await using var cmd = db.CreateCommand($"select count(*) over () as total_count, {columns} {from} order by {order} limit {limit} offset {offset}");
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        var rows = new List<Dictionary<string, object?>>();
        long total = 0;
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                total = reader.GetInt64(0);
                var row = new Dictionary<string, object?>();
                for (var i = 1; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }

                rows.Add(row);
            }
        }

        if (rows.Count == 0 && offset > 0)
        {
            await using var count = db.CreateCommand($"select count(*) {from}");
            foreach (var (name, value) in parameters)
            {
                count.Parameters.AddWithValue(name, value);
            }

            total = (long)(await count.ExecuteScalarAsync())!;
        }

        return new Page(total, rows);
    }
}
