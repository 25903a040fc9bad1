using Microsoft.Extensions.Logging;
using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Live;

namespace Vdi.Grains.Journal;

/// <summary>Appends events to the journal table (the original's <c>event</c> table) and announces them on <c>/events/</c>.</summary>
public sealed partial class JournalWriter(NpgsqlDataSource db, TimeProvider time, LiveEventPublisher live, ILogger<JournalWriter> logger)
{
    private const int MessageLimit = 256;

    /// <summary>A description is cut to this many characters: a client's error text cannot flood the journal or every panel.</summary>
    public const int DescriptionLimit = 4096;

    public async Task WriteAsync(JournalEntry entry)
    {
        await using var cmd = db.CreateCommand("""
            insert into vdi_journal (event_type, message, description, entity_type, entity_id, username, client_address, created)
            values (@type, @message, @description, @entity_type, @entity_id, @username, @client_address, @created)
            returning id
            """);
        var message = entry.Message.Length > MessageLimit ? entry.Message[..MessageLimit] : entry.Message;
        var description = entry.Description.Length > DescriptionLimit ? entry.Description[..DescriptionLimit] + " [cut]" : entry.Description;
        var entityType = entry.EntityType?.ToString().ToUpperInvariant();
        var created = time.GetUtcNow();
        var address = entry.ClientAddress ?? AuditContext.ClientAddress;
        address = address.Length > 64 ? address[..64] : address;
        cmd.Parameters.AddWithValue("type", (short)entry.Level);
        cmd.Parameters.AddWithValue("message", message);
        cmd.Parameters.AddWithValue("description", description);
        cmd.Parameters.AddWithValue("entity_type", entityType is null ? DBNull.Value : entityType);
        cmd.Parameters.AddWithValue("entity_id", entry.EntityId is { } id ? id : DBNull.Value);
        cmd.Parameters.AddWithValue("username", entry.User);
        cmd.Parameters.AddWithValue("client_address", address);
        cmd.Parameters.AddWithValue("created", created);
        var eventId = (long)(await cmd.ExecuteScalarAsync())!;
        try
        {
            await live.PublishAsync(LiveStreams.Events, "CREATED", Guid.Empty, new
            {
                id = eventId,
                event_type = (int)entry.Level,
                message,
                description,
                entity_type = entityType,
                entity_id = entry.EntityId,
                user = entry.User,
                client_address = address,
                created,
            });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogPublishFailed(logger, e.Message); // the row is written; the panel sees it on its next refresh
        }
    }

    [LoggerMessage(EventId = LogEvents.JournalPublishFailed, Level = LogLevel.Warning, Message = "Journal: the live event could not be published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
