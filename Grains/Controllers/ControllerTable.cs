using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Shared.Postgres;

namespace Vdi.Grains.Controllers;

/// <summary>The <c>vdi_controllers</c> projection; its unique indexes reserve names and addresses.</summary>
public sealed class ControllerTable(NpgsqlDataSource db)
{
    /// <summary>Inserts or updates the row; a name or address held by another controller is a Conflict.</summary>
    public async Task UpsertAsync(Guid id, ControllerState c)
    {
        await using var cmd = db.CreateCommand("""
            insert into vdi_controllers (id, verbose_name, address, description, status, version, created, updated)
            values (@id, @name, @address, @description, @status, @version, @created, @updated)
            on conflict (id) do update set verbose_name = excluded.verbose_name, address = excluded.address,
                description = excluded.description, status = excluded.status, version = excluded.version,
                updated = excluded.updated
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("name", c.VerboseName);
        cmd.Parameters.AddWithValue("address", c.Address);
        cmd.Parameters.AddWithValue("description", c.Description);
        cmd.Parameters.AddWithValue("status", c.Status.ToWire());
        cmd.Parameters.AddWithValue("version", c.Version);
        cmd.Parameters.AddWithValue("created", c.Created);
        cmd.Parameters.AddWithValue("updated", c.Updated);
        try
        {
            await cmd.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw e.ConstraintName == "ux_vdi_controllers_address"
                ? BrokerException.Conflict($"address: another controller already has the address {c.Address}", "address")
                : BrokerException.Conflict($"verbose_name: another controller is already named {c.VerboseName}", "verbose_name");
        }
    }

    public async Task DeleteAsync(Guid id)
    {
        await using var cmd = db.CreateCommand("delete from vdi_controllers where id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<Guid?> FindByAddressAsync(string address)
    {
        await using var cmd = db.CreateCommand("select id from vdi_controllers where lower(address) = lower(@address)");
        cmd.Parameters.AddWithValue("address", address);
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }

    public async Task<IReadOnlyList<Guid>> ListIdsAsync()
    {
        await using var cmd = db.CreateCommand("select id from vdi_controllers where status <> 'DELETING'");
        return await cmd.ReadGuidsAsync();
    }
}
