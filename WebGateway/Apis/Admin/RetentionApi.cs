using System.Security.Claims;
using Npgsql;
using Vdi.Grains.Interfaces.Retention;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// Retention (the original keeps 36 months of journal in monthly partitions, with CSV archives): the periods, the last
/// run, the journal's months as stored. Administrators and security administrators read it; only a superuser changes it
/// or runs it now, since it removes audit history.
/// </summary>
public static class RetentionApi
{
    public sealed record RetentionRequest(int? JournalMonths, int? SessionMonths, int? TaskDays, bool? Archive);

    /// <summary>One of the journal's partitions: its month, rows (Postgres' estimate after ANALYZE) and size on disk.</summary>
    public sealed record JournalPartition(string Name, string? Month, long Rows, long Bytes);

    public static RouteGroupBuilder MapRetentionApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/retention").WithTags("Settings");
        g.MapGet("/", async (IClusterClient cluster, NpgsqlDataSource db) =>
        {
            var view = await cluster.GetGrain<IRetentionGrain>(0).GetAsync();
            return Results.Ok(new
            {
                journal_months = view.Settings.JournalMonths,
                session_months = view.Settings.SessionMonths,
                task_days = view.Settings.TaskDays,
                archive = view.Settings.Archive,
                archive_configured = view.ArchiveConfigured,
                scheduled = view.Scheduled,
                period_seconds = (long)view.Period.TotalSeconds,
                running = view.Running,
                last_run = view.LastRun,
                journal_partitions = await PartitionsAsync(db),
            });
        }).RequireAuthorization(p => p.RequireRole(Roles.Administrator, Roles.SecurityAdministrator, Roles.Superuser));
        g.MapPut("/", async (RetentionRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            await cluster.GetGrain<IRetentionGrain>(0).UpdateAsync(
                new RetentionChanges(body.JournalMonths, body.SessionMonths, body.TaskDays, body.Archive), user.UserName());
            return Results.NoContent();
        }).RequireAuthorization(p => p.RequireRole(Roles.Superuser));
        g.MapPost("/run", async (IClusterClient cluster, ClaimsPrincipal user) =>
            Results.Ok(await cluster.GetGrain<IRetentionGrain>(0).RunAsync(user.UserName())))
            .RequireAuthorization(p => p.RequireRole(Roles.Superuser));
        return admin;
    }

    private static async Task<List<JournalPartition>> PartitionsAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("""
            select c.relname, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid)
            from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'vdi_journal'::regclass order by c.relname
            """);
        var list = new List<JournalPartition>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var name = reader.GetString(0);
            var month = name.Length == "vdi_journal_0000_00".Length ? name["vdi_journal_".Length..].Replace('_', '-') : null;
            list.Add(new JournalPartition(name, month, reader.GetInt64(1), reader.GetInt64(2)));
        }

        return list;
    }
}
