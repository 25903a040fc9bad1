using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Live;

namespace Vdi.Grains.Journal;

/// <summary>
/// Appends events to the journal table (the original's <c>event</c> table) and announces them on <c>/events/</c>.
/// A caller's entry is written before <see cref="WriteAsync"/> returns; the entries of callers that arrive while a
/// write is under way go to Postgres together, in one round trip and one commit (a batch runs as one implicit
/// transaction), so the 9:00 storm's "User X has been logged in." costs a share of a commit, not one each.
/// </summary>
public sealed partial class JournalWriter : IAsyncDisposable
{
    private const int MessageLimit = 256;

    /// <summary>The most entries written in one round trip.</summary>
    private const int BatchLimit = 256;

    /// <summary>A description is cut to this many characters: a client's error text cannot flood the journal or every panel.</summary>
    public const int DescriptionLimit = 4096;

    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;
    private readonly LiveEventPublisher _live;
    private readonly ILogger<JournalWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private sealed record Pending(short Type, string Message, string Description, string? EntityType, Guid? EntityId, string User, string Address,
        DateTimeOffset Created, TaskCompletionSource<long> Written);

    private readonly Notifications.NotificationDispatcher _notifications;

    public JournalWriter(NpgsqlDataSource db, TimeProvider time, LiveEventPublisher live, Notifications.NotificationDispatcher notifications, ILogger<JournalWriter> logger)
    {
        (_db, _time, _live, _notifications, _logger) = (db, time, live, notifications, logger);
        _writer = Task.Run(WriteBatchesAsync);
    }

    public async Task WriteAsync(JournalEntry entry)
    {
        var message = entry.Message.Length > MessageLimit ? entry.Message[..MessageLimit] : entry.Message;
        var description = entry.Description.Length > DescriptionLimit ? entry.Description[..DescriptionLimit] + " [cut]" : entry.Description;
        var entityType = entry.EntityType?.ToString().ToUpperInvariant();
        var created = _time.GetUtcNow();
        var address = entry.ClientAddress ?? AuditContext.ClientAddress;
        address = address.Length > 64 ? address[..64] : address;
        var pending = new Pending((short)entry.Level, message, description, entityType, entry.EntityId, entry.User, address, created,
            new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(JournalWriter), "the journal is shutting down");
        }

        var eventId = await pending.Written.Task; // the row is in the journal from here (or the database's failure is the caller's)
        // mail and webhooks: handed over, never waited for
        _notifications.Offer(new Notifications.NotificationDispatcher.Notice(eventId, entry.Level, message, description, entityType, entry.EntityId, entry.User, address, created), entry.Quiet);
        try
        {
            await _live.PublishAsync(LiveStreams.Events, "CREATED", Guid.Empty, new
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
            LogPublishFailed(_logger, e.Message); // the row is written; the panel sees it on its next refresh
        }
    }

    /// <summary>One writer: whatever has queued while the last batch was written goes in the next one.</summary>
    private async Task WriteBatchesAsync()
    {
        var batch = new List<Pending>(BatchLimit);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchLimit && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var ids = await InsertAsync(batch);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Written.TrySetResult(ids[i]);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                foreach (var pending in batch)
                {
                    pending.Written.TrySetException(e); // nothing of the batch was written (one transaction): each caller sees why
                }
            }

            batch.Clear();
        }
    }

    private async Task<long[]> InsertAsync(List<Pending> rows)
    {
        await using var batch = _db.CreateBatch();
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand("""
                insert into vdi_journal (event_type, message, description, entity_type, entity_id, username, client_address, created)
                values (@type, @message, @description, @entity_type, @entity_id, @username, @client_address, @created)
                returning id
                """);
            command.Parameters.AddWithValue("type", row.Type);
            command.Parameters.AddWithValue("message", row.Message);
            command.Parameters.AddWithValue("description", row.Description);
            command.Parameters.AddWithValue("entity_type", row.EntityType is null ? DBNull.Value : row.EntityType);
            command.Parameters.AddWithValue("entity_id", row.EntityId is { } id ? id : DBNull.Value);
            command.Parameters.AddWithValue("username", row.User);
            command.Parameters.AddWithValue("client_address", row.Address);
            command.Parameters.AddWithValue("created", row.Created);
            batch.BatchCommands.Add(command);
        }

        var ids = new long[rows.Count];
        await using var reader = await batch.ExecuteReaderAsync();
        for (var i = 0; i < rows.Count; i++)
        {
            if (i > 0)
            {
                await reader.NextResultAsync();
            }

            await reader.ReadAsync();
            ids[i] = reader.GetInt64(0);
        }

        return ids;
    }

    /// <summary>Entries already queued are written; later ones are refused.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    [LoggerMessage(EventId = LogEvents.JournalPublishFailed, Level = LogLevel.Warning, Message = "Journal: the live event could not be published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
