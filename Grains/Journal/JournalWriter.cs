using Npgsql;
using Vdi.Grains.Interfaces.Journal;

namespace Vdi.Grains.Journal;

/// <summary>Appends events to the journal table (the original's <c>event</c> table).</summary>
public sealed class JournalWriter(NpgsqlDataSource db, TimeProvider time)
{
    private const int MessageLimit = 256;

    public async Task WriteAsync(JournalEntry entry)
    {
        await using var cmd = db.CreateCommand("""
            insert into vdi_journal (event_type, message, description, entity_type, entity_id, username, created)
            values (@type, @message, @description, @entity_type, @entity_id, @username, @created)
            """);
        cmd.Parameters.AddWithValue("type", (short)entry.Level);
        cmd.Parameters.AddWithValue("message", entry.Message.Length > MessageLimit ? entry.Message[..MessageLimit] : entry.Message);
        cmd.Parameters.AddWithValue("description", entry.Description);
        cmd.Parameters.AddWithValue("entity_type", entry.EntityType is { } t ? t.ToString().ToUpperInvariant() : DBNull.Value);
        cmd.Parameters.AddWithValue("entity_id", entry.EntityId is { } id ? id : DBNull.Value);
        cmd.Parameters.AddWithValue("username", entry.User);
        cmd.Parameters.AddWithValue("created", time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync();
    }
}
