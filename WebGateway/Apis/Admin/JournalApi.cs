using System.Security.Claims;
using Vdi.Grains.Interfaces.Errors;
using Vdi.WebGateway.Apis.Admin.Rows;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>The journal (§12): filter by level, entity, user and time; paging; mark read; CSV export. Any admin role reads it.</summary>
public static class JournalApi
{
    public sealed record MarkReadRequest(IReadOnlyList<long>? Ids, int? EventType, string? EntityType, Guid? EntityId, string? User,
        DateTimeOffset? From, DateTimeOffset? To);

    public static RouteGroupBuilder MapJournalApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/journal").WithTags("Journal").RequireAuthorization(Roles.OperatorPolicy);
        g.MapGet("/", (AdminQueries q, ClaimsPrincipal user, int? event_type, string? entity_type, Guid? entity_id, string? username,
                DateTimeOffset? from, DateTimeOffset? to, bool? unread, DateTimeOffset? before, long? before_id, [AsParameters] Paging paging) =>
        {
            if ((before is null) != (before_id is null))
            {
                throw BrokerException.Invalid("before", "before and before_id: both (the created time and id of the previous page's last event), or neither");
            }

            return q.JournalAsync(Filter(event_type, entity_type, entity_id, username, from, to, unread ?? false), user.UserId()!.Value, paging,
                before is { } at ? (at, before_id!.Value) : null);
        });
        g.MapPost("/mark-read", async (MarkReadRequest body, AdminQueries q, ClaimsPrincipal user) =>
        {
            if (body.Ids is null && body.EventType is null && body.EntityType is null && body.EntityId is null && body.User is null && body.From is null && body.To is null)
            {
                throw BrokerException.Invalid("ids", "ids: give the events to mark, or a filter (event_type, entity_type, entity_id, user, from, to)");
            }

            var marked = await q.MarkReadAsync(user.UserId()!.Value, body.Ids,
                Filter(body.EventType, body.EntityType, body.EntityId, body.User, body.From, body.To, false));
            return Results.Ok(new { marked });
        });
        g.MapGet("/export", (HttpContext http, AdminQueries q, ClaimsPrincipal user, int? event_type, string? entity_type, Guid? entity_id,
            string? username, DateTimeOffset? from, DateTimeOffset? to) =>
        {
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"journal-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv\"";
            return Results.Stream(async body =>
            {
                await using var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false));
                await writer.WriteAsync('\uFEFF'); // a byte-order mark: Excel then opens Cyrillic as UTF-8
                await foreach (var line in q.JournalCsvAsync(Filter(event_type, entity_type, entity_id, username, from, to, false), user.UserId()!.Value))
                {
                    await writer.WriteAsync(line);
                }
            }, "text/csv; charset=utf-8");
        });
        return admin;
    }

    private static AdminQueries.JournalFilter Filter(int? eventType, string? entityType, Guid? entityId, string? user, DateTimeOffset? from, DateTimeOffset? to, bool unread)
    {
        if (eventType is < 0 or > 3)
        {
            throw BrokerException.Invalid("event_type", "event_type: 0 (info), 1 (warning), 2 (error) or 3 (debug)");
        }

        return new AdminQueries.JournalFilter(eventType, string.IsNullOrWhiteSpace(entityType) ? null : entityType.Trim(), entityId,
            string.IsNullOrWhiteSpace(user) ? null : user.Trim(), from, to, unread);
    }
}
