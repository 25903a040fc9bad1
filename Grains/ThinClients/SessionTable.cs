using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Shared.Postgres;

namespace Vdi.Grains.ThinClients;

/// <summary>The session and VM-connection history (vdi_tk_sessions, vdi_tk_vm_connections) for the admin view.</summary>
public sealed class SessionTable(NpgsqlDataSource db)
{
    public async Task OpenAsync(Guid id, SessionInfo info, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand("""
            insert into vdi_tk_sessions (id, user_id, username, veil_connect_version, tk_ip, tk_os, mac_address, hostname, gateway, connected, data_received, last_interaction)
            values (@id, @user, @name, @version, @ip, @os, @mac, @host, @gateway, @now, @now, @interaction)
            on conflict (id) do nothing
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("user", info.UserId);
        cmd.Parameters.AddWithValue("name", info.Username);
        cmd.Parameters.AddWithValue("version", Cut(info.VeilConnectVersion, 32));
        cmd.Parameters.AddWithValue("ip", Cut(info.Ip, 64));
        cmd.Parameters.AddWithValue("os", Cut(info.Os, 64));
        cmd.Parameters.AddWithValue("mac", Cut(info.MacAddress, 64));
        cmd.Parameters.AddWithValue("host", Cut(info.Hostname, 255));
        cmd.Parameters.AddWithValue("gateway", Cut(info.Gateway, 128));
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("interaction", info.InitiatedByUser ? now : DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task TouchAsync(Guid id, DateTimeOffset dataReceived, DateTimeOffset? interaction)
    {
        await using var cmd = db.CreateCommand(
            "update vdi_tk_sessions set data_received = @data, last_interaction = coalesce(@interaction, last_interaction) where id = @id");
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("data", dataReceived);
        cmd.Parameters.AddWithValue("interaction", interaction is { } i ? i : DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task CloseAsync(Guid id, DateTimeOffset now, SessionCloseReason reason)
    {
        await using var cmd = db.CreateCommand("""
            update vdi_tk_vm_connections set disconnected_from_vm = @now where session_id = @id and disconnected_from_vm is null;
            update vdi_tk_sessions set disconnected = @now, close_reason = @reason where id = @id and disconnected is null
            """);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("reason", reason.ToWire());
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task VmConnectedAsync(Guid sessionId, ClientEvent e, bool successful, DateTimeOffset now)
    {
        // a new connection ends the one before it; a failed attempt leaves the connection in use alone
        await using var cmd = db.CreateCommand("""
            update vdi_tk_vm_connections set disconnected_from_vm = @now where @ok and session_id = @session and disconnected_from_vm is null;
            insert into vdi_tk_vm_connections (id, session_id, vm_id, successful, conn_error_str, connection_type, is_connection_secure, connected_to_vm, disconnected_from_vm)
            values (@id, @session, @vm, @ok, @error, @type, @secure, @now, case when @ok then null else @now end);
            update vdi_tk_sessions set data_received = @now, last_interaction = @now where id = @session
            """);
        cmd.Parameters.AddWithValue("id", Guid.NewGuid());
        cmd.Parameters.AddWithValue("session", sessionId);
        cmd.Parameters.AddWithValue("vm", e.VmId!.Value);
        cmd.Parameters.AddWithValue("ok", successful);
        cmd.Parameters.AddWithValue("error", Cut(e.ErrorText ?? "", 1024));
        cmd.Parameters.AddWithValue("type", (object?)e.ConnectionType ?? DBNull.Value);
        cmd.Parameters.AddWithValue("secure", e.IsConnectionSecure is { } s ? s : DBNull.Value);
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task VmDisconnectedAsync(Guid sessionId, Guid vmId, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand("""
            update vdi_tk_vm_connections set disconnected_from_vm = @now where session_id = @session and vm_id = @vm and disconnected_from_vm is null;
            update vdi_tk_sessions set data_received = @now, last_interaction = @now where id = @session
            """);
        cmd.Parameters.AddWithValue("session", sessionId);
        cmd.Parameters.AddWithValue("vm", vmId);
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task NetworkStatsAsync(Guid sessionId, ClientEvent e, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand("""
            update vdi_tk_vm_connections set read_speed = @read, write_speed = @write, avg_rtt = @rtt, loss_percentage = @loss
            where session_id = @session and vm_id = @vm and disconnected_from_vm is null;
            update vdi_tk_sessions set data_received = @now where id = @session
            """);
        cmd.Parameters.AddWithValue("session", sessionId);
        cmd.Parameters.AddWithValue("vm", e.VmId!.Value);
        cmd.Parameters.AddWithValue("read", e.ReadSpeed is { } r ? r : DBNull.Value);
        cmd.Parameters.AddWithValue("write", e.WriteSpeed is { } w ? w : DBNull.Value);
        cmd.Parameters.AddWithValue("rtt", e.AvgRtt is { } t ? t : DBNull.Value);
        cmd.Parameters.AddWithValue("loss", e.LossPercentage is { } l ? l : DBNull.Value);
        cmd.Parameters.AddWithValue("now", now);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The session as its rows record it (the session grain keeps no other state): the VM it last connected to
    /// successfully, and whether that connection is still open. Null when no session has this id.
    /// </summary>
    public async Task<SessionState?> LoadAsync(Guid id)
    {
        await using var cmd = db.CreateCommand("""
            select s.user_id, s.username, s.veil_connect_version, s.tk_ip, s.tk_os, s.mac_address, s.hostname, s.gateway,
                   s.connected, s.data_received, s.last_interaction, s.disconnected, c.vm_id, c.vm_id is not null and c.disconnected_from_vm is null
            from vdi_tk_sessions s
            left join lateral (select vm_id, disconnected_from_vm from vdi_tk_vm_connections
                               where session_id = s.id and successful order by connected_to_vm desc limit 1) c on true
            where s.id = @id
            """);
        cmd.Parameters.AddWithValue("id", id);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        return new SessionState
        {
            Info = new SessionInfo(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), InitiatedByUser: false, reader.GetString(7)),
            Connected = reader.GetFieldValue<DateTimeOffset>(8),
            DataReceived = reader.GetFieldValue<DateTimeOffset>(9),
            LastInteraction = reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
            Disconnected = reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
            LastVmId = reader.IsDBNull(12) ? null : reader.GetGuid(12),
            VmConnected = reader.GetBoolean(13),
        };
    }

    public async Task<IReadOnlyList<Guid>> ActiveIdsAsync()
    {
        await using var cmd = db.CreateCommand("select id from vdi_tk_sessions where disconnected is null");
        return await cmd.ReadGuidsAsync();
    }

    public async Task<IReadOnlyList<Guid>> ActiveIdsOfUserAsync(Guid userId)
    {
        await using var cmd = db.CreateCommand("select id from vdi_tk_sessions where user_id = @u and disconnected is null");
        cmd.Parameters.AddWithValue("u", userId);
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>Open sessions whose recorded data is older than <paramref name="silentFor"/> (the record is refreshed every few seconds).</summary>
    public async Task<IReadOnlyList<Guid>> SilentIdsAsync(TimeSpan silentFor, DateTimeOffset now)
    {
        await using var cmd = db.CreateCommand("select id from vdi_tk_sessions where disconnected is null and data_received < @before");
        cmd.Parameters.AddWithValue("before", now - silentFor);
        return await cmd.ReadGuidsAsync();
    }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;
}
