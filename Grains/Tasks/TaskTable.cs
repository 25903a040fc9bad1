using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Shared.Postgres;

namespace Vdi.Grains.Tasks;

/// <summary>The <c>vdi_tasks</c> projection: what the admin lists and what cancel-by-pool/controller looks up.</summary>
public sealed class TaskTable(NpgsqlDataSource db)
{
    public async Task UpsertAsync(TaskView t, Guid? poolId)
    {
        await using var cmd = db.CreateCommand("""
            insert into vdi_tasks (id, entity_id, pool_id, task_type, status, progress, message, creator, created, started, finished, resumable, priority)
            values (@id, @entity, @pool, @type, @status, @progress, @message, @creator, @created, @started, @finished, @resumable, @priority)
            on conflict (id) do update set status = excluded.status, progress = excluded.progress, message = excluded.message,
                started = excluded.started, finished = excluded.finished, resumable = excluded.resumable
            """);
        cmd.Parameters.AddWithValue("id", t.Id);
        cmd.Parameters.AddWithValue("entity", t.EntityId);
        cmd.Parameters.AddWithValue("pool", poolId is { } p ? p : DBNull.Value);
        cmd.Parameters.AddWithValue("type", t.Type.ToWire());
        cmd.Parameters.AddWithValue("status", t.Status.ToWire());
        cmd.Parameters.AddWithValue("progress", (short)t.Progress);
        cmd.Parameters.AddWithValue("message", t.Message.Length > 256 ? t.Message[..256] : t.Message);
        cmd.Parameters.AddWithValue("creator", t.Creator);
        cmd.Parameters.AddWithValue("created", t.Created);
        cmd.Parameters.AddWithValue("started", t.Started is { } s ? s : DBNull.Value);
        cmd.Parameters.AddWithValue("finished", t.Finished is { } f ? f : DBNull.Value);
        cmd.Parameters.AddWithValue("resumable", t.Resumable);
        cmd.Parameters.AddWithValue("priority", (short)t.Priority);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task DeleteAsync(Guid id)
    {
        await using var cmd = db.CreateCommand("delete from vdi_tasks where id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Tasks that ended before a time (retention), oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Guid>> EndedBeforeAsync(DateTimeOffset before, int limit)
    {
        await using var cmd = db.CreateCommand("""
            select id from vdi_tasks where finished < @before and status in ('FINISHED', 'FAILED', 'CANCELLED') order by finished limit @limit
            """);
        cmd.Parameters.AddWithValue("before", before);
        cmd.Parameters.AddWithValue("limit", limit);
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>Unfinished tasks of the given pools (optionally of one type).</summary>
    public async Task<IReadOnlyList<Guid>> ActiveForPoolsAsync(IReadOnlyCollection<Guid> poolIds, BrokerTaskType? type = null)
    {
        await using var cmd = db.CreateCommand("""
            select id from vdi_tasks where pool_id = any(@pools) and status in ('INITIAL', 'IN_PROGRESS')
              and (@type::text is null or task_type = @type::text)
            """);
        cmd.Parameters.AddWithValue("pools", poolIds.ToArray());
        cmd.Parameters.AddWithValue("type", type is { } t ? t.ToWire() : DBNull.Value);
        return await cmd.ReadGuidsAsync();
    }

    public async Task<IReadOnlyList<Guid>> ResumableForPoolsAsync(IReadOnlyCollection<Guid> poolIds)
    {
        await using var cmd = db.CreateCommand("select id from vdi_tasks where pool_id = any(@pools) and status = 'CANCELLED' and resumable");
        cmd.Parameters.AddWithValue("pools", poolIds.ToArray());
        return await cmd.ReadGuidsAsync();
    }

}
