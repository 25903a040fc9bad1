using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Shared.Postgres;

namespace Vdi.Grains.Vms;

/// <summary>The <c>vdi_vms</c> projection: what lists of VMs and controller cascades read.</summary>
public sealed class VmTable(NpgsqlDataSource db)
{
    /// <summary>The VM's row, and with <paramref name="withOwners"/> its owners too, in one round trip and one transaction.</summary>
    public async Task UpsertAsync(Guid id, VmState vm, bool withOwners = false)
    {
        await using var batch = db.CreateBatch();
        var upsert = new NpgsqlBatchCommand("""
            insert into vdi_vms (id, controller_id, pool_id, verbose_name, status, power_state, created_by_broker, updated, held_off)
            values (@id, @controller, @pool, @name, @status, @power, @by_broker, @updated, @held_off)
            on conflict (id) do update set controller_id = excluded.controller_id, pool_id = excluded.pool_id,
                verbose_name = excluded.verbose_name, status = excluded.status, power_state = excluded.power_state,
                created_by_broker = excluded.created_by_broker, updated = excluded.updated, held_off = excluded.held_off
            """);
        upsert.Parameters.AddWithValue("id", id);
        upsert.Parameters.AddWithValue("controller", vm.ControllerId);
        upsert.Parameters.AddWithValue("pool", vm.PoolId is { } p ? p : DBNull.Value);
        upsert.Parameters.AddWithValue("name", vm.VerboseName);
        upsert.Parameters.AddWithValue("status", vm.Status.ToString().ToUpperInvariant());
        upsert.Parameters.AddWithValue("power", (short)vm.PowerState);
        upsert.Parameters.AddWithValue("by_broker", vm.CreatedByBroker);
        upsert.Parameters.AddWithValue("updated", vm.Updated);
        upsert.Parameters.AddWithValue("held_off", vm.HeldOff);
        batch.BatchCommands.Add(upsert);
        if (withOwners && vm.PoolId is { } pool)
        {
            AddOwners(batch, id, pool, vm.Owners);
        }

        await batch.ExecuteNonQueryAsync();
    }

    public async Task DeleteAsync(Guid id)
    {
        await using var cmd = db.CreateCommand("delete from vdi_vm_owners where vm_id = @id; delete from vdi_vms where id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync();
    }

    private static void AddOwners(NpgsqlBatch batch, Guid vmId, Guid poolId, IReadOnlyCollection<Guid> owners)
    {
        var delete = new NpgsqlBatchCommand("delete from vdi_vm_owners where vm_id = @vm");
        delete.Parameters.AddWithValue("vm", vmId);
        batch.BatchCommands.Add(delete);
        foreach (var owner in owners)
        {
            var insert = new NpgsqlBatchCommand("insert into vdi_vm_owners (vm_id, user_id, pool_id) values (@vm, @user, @pool)");
            insert.Parameters.AddWithValue("vm", vmId);
            insert.Parameters.AddWithValue("user", owner);
            insert.Parameters.AddWithValue("pool", poolId);
            batch.BatchCommands.Add(insert);
        }
    }

    public async Task<IReadOnlyList<Guid>> ListIdsByPoolAsync(Guid poolId)
    {
        await using var cmd = db.CreateCommand("select id from vdi_vms where pool_id = @id order by verbose_name");
        cmd.Parameters.AddWithValue("id", poolId);
        return await cmd.ReadGuidsAsync();
    }

    public async Task<IReadOnlyList<Guid>> ListIdsByControllerAsync(Guid controllerId)
    {
        await using var cmd = db.CreateCommand("select id from vdi_vms where controller_id = @id");
        cmd.Parameters.AddWithValue("id", controllerId);
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>
    /// Keep-on candidates of some pools: active or reserved VMs with at least one owner that the disconnect action
    /// did not power down on purpose, and every active host of the <paramref name="sharedPools"/> (RDS pools, whose
    /// hosts have no owner). Their power is then asked of the controller in bulk.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> AssignedVmsAsync(IReadOnlyCollection<Guid> poolIds, IReadOnlyCollection<Guid>? sharedPools = null)
    {
        await using var cmd = db.CreateCommand("""
            select v.id from vdi_vms v
            where v.pool_id = any(@pools) and v.status in ('ACTIVE', 'RESERVED') and not v.held_off
              and exists (select 1 from vdi_vm_owners o where o.vm_id = v.id)
            union all
            select v.id from vdi_vms v where v.pool_id = any(@shared) and v.status = 'ACTIVE' and not v.held_off
            """);
        cmd.Parameters.AddWithValue("pools", poolIds.ToArray());
        cmd.Parameters.AddWithValue("shared", (sharedPools ?? []).ToArray());
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>
    /// The pool's VMs a template change may recreate now: not RESERVED, and no open session reports a user in them
    /// (the client's evidence: a successful connection not yet ended, of a session not yet closed).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> NotInUseAsync(Guid poolId)
    {
        await using var cmd = db.CreateCommand("""
            select v.id from vdi_vms v
            where v.pool_id = @pool and v.status <> 'RESERVED'
              and not exists (select 1 from vdi_tk_vm_connections c join vdi_tk_sessions s on s.id = c.session_id
                              where c.vm_id = v.id and c.successful and c.disconnected_from_vm is null and s.disconnected is null)
            order by v.verbose_name
            """);
        cmd.Parameters.AddWithValue("pool", poolId);
        return await cmd.ReadGuidsAsync();
    }
}
