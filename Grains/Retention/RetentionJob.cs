using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Vdi.Grains.Interfaces.Retention;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Tasks;

namespace Vdi.Grains.Retention;

/// <summary>
/// Applies the retention periods. The journal: next months' partitions are made ahead, months past the period are
/// archived (when asked) and their partitions dropped at once; rows of old months waiting in the default partition are
/// archived and deleted. Sessions (with their VM connections), closed before the period, the same by month, deleted in
/// batches. Tasks that ended before their period forget their records through their grains (state and row). One run at
/// a time in the cluster (a Postgres advisory lock), whatever the silos.
/// </summary>
public sealed partial class RetentionJob(
    NpgsqlDataSource db,
    IGrainFactory grains,
    TaskTable tasks,
    Vdi.Shared.Statistics.StatisticsRollup statistics,
    IOptions<RetentionOptions> options,
    ILogger<RetentionJob> logger)
{
    /// <summary>The advisory lock's key ("vdi-retention" as a number).</summary>
    private const long LockKey = 0x7664692D726574;

    private RetentionOptions O => options.Value;

    /// <summary>Whether archives can be written: a folder is configured.</summary>
    public bool ArchiveConfigured => !string.IsNullOrWhiteSpace(O.ArchiveDirectory);

    /// <summary>The first day (UTC) of the month <paramref name="months"/> before the one <paramref name="now"/> is in.</summary>
    public static DateTime MonthStart(DateTimeOffset now, int months)
    {
        var utc = now.UtcDateTime;
        return new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-months);
    }

    private sealed class Totals
    {
        public long Journal;
        public int MonthsDropped;
        public long Sessions;
        public long Connections;
        public long Tasks;
        public int DaysRolledUp;
        public List<RetentionArchive> Archives { get; } = [];
    }

    public async Task<RetentionRun> RunAsync(RetentionSettings settings, DateTimeOffset now, string by, CancellationToken cancellation)
    {
        var started = now;
        var totals = new Totals();
        string? error = null;
        await using var conn = await db.OpenConnectionAsync(cancellation);
        await using (var take = new NpgsqlCommand("select pg_try_advisory_lock(@k)", conn))
        {
            take.Parameters.AddWithValue("k", LockKey);
            if (!(bool)(await take.ExecuteScalarAsync(cancellation))!)
            {
                return new RetentionRun(started, DateTimeOffset.UtcNow, by, 0, 0, 0, 0, 0, [], "another retention run is under way");
            }
        }

        try
        {
            // the statistics of settled days first: they outlive the sessions they are made of
            await RollUpAsync(now, settings, totals, cancellation);
            var archive = settings.Archive;
            if (archive && !ArchiveConfigured)
            {
                // nothing that should have been archived is removed without its archive
                error = "archiving is on but the silo has no Retention:ArchiveDirectory: nothing was removed";
                await EnsurePartitionsAsync(conn, now, settings.JournalMonths, cancellation);
                return new RetentionRun(started, DateTimeOffset.UtcNow, by, 0, 0, 0, 0, 0, [], error, totals.DaysRolledUp);
            }

            if (archive)
            {
                Directory.CreateDirectory(O.ArchiveDirectory);
            }

            await EnsurePartitionsAsync(conn, now, settings.JournalMonths, cancellation);
            if (settings.JournalMonths > 0)
            {
                await JournalAsync(conn, MonthStart(now, settings.JournalMonths), archive, totals, cancellation);
                await statistics.ForgetBeforeAsync(DateOnly.FromDateTime(MonthStart(now, settings.JournalMonths)), cancellation);
            }

            if (settings.SessionMonths > 0)
            {
                await SessionsAsync(conn, MonthStart(now, settings.SessionMonths), archive, totals, cancellation);
            }

            if (settings.TaskDays > 0)
            {
                await TasksAsync(now - TimeSpan.FromDays(settings.TaskDays), totals, cancellation);
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or UnauthorizedAccessException or OrleansException or TimeoutException)
        {
            LogFailed(logger, e);
            error = e is NpgsqlException ? "the database did not answer: the run stopped, the next one goes on" : $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            if (conn.State == System.Data.ConnectionState.Open)
            {
                try
                {
                    await using var release = new NpgsqlCommand("select pg_advisory_unlock(@k)", conn);
                    release.Parameters.AddWithValue("k", LockKey);
                    await release.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (NpgsqlException)
                {
                    // the lock goes with the session
                }
            }
        }

        return new RetentionRun(started, DateTimeOffset.UtcNow, by, totals.Journal, totals.MonthsDropped, totals.Sessions, totals.Connections,
            totals.Tasks, totals.Archives, error, totals.DaysRolledUp);
    }

    /// <summary>
    /// Rolls up the settled days not rolled up yet (from the oldest kept session on), at most
    /// <see cref="RetentionOptions.RollupDaysPerRun"/> a run: the next run goes on where this one stopped.
    /// </summary>
    private async Task RollUpAsync(DateTimeOffset now, RetentionSettings settings, Totals totals, CancellationToken cancellation)
    {
        var oldest = settings.SessionMonths > 0 ? DateOnly.FromDateTime(MonthStart(now, settings.SessionMonths)) : DateOnly.MinValue;
        foreach (var day in await statistics.DaysDueAsync(now, oldest, O.RollupDaysPerRun, cancellation))
        {
            cancellation.ThrowIfCancellationRequested();
            await statistics.RollUpDayAsync(day, cancellation);
            totals.DaysRolledUp++;
        }
    }

    /// <summary>
    /// The partitions of last month, this month and the next two, and one for each month still kept whose rows wait
    /// in the default partition (a broker stopped for months).
    /// </summary>
    private static async Task EnsurePartitionsAsync(NpgsqlConnection conn, DateTimeOffset now, int journalMonths, CancellationToken cancellation)
    {
        var months = Enumerable.Range(-2, 4).Select(i => MonthStart(now, i)).ToList();
        var keepFrom = journalMonths > 0 ? MonthStart(now, journalMonths) : DateTime.MinValue;
        months.AddRange((await DefaultMonthsAsync(conn, cancellation)).Where(m => m >= keepFrom));
        foreach (var month in months.Distinct())
        {
            await using var cmd = new NpgsqlCommand("select vdi_journal_month_partition(@m)", conn);
            cmd.Parameters.AddWithValue("m", DateOnly.FromDateTime(month));
            await cmd.ExecuteScalarAsync(cancellation);
        }
    }

    private static async Task<List<DateTime>> DefaultMonthsAsync(NpgsqlConnection conn, CancellationToken cancellation)
    {
        await using var cmd = new NpgsqlCommand(
            "select distinct date_trunc('month', created at time zone 'UTC') from vdi_journal_default order by 1", conn);
        var months = new List<DateTime>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            months.Add(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
        }

        return months;
    }

    /// <summary>The months of the journal's partitions, from their names (vdi_journal_YYYY_MM).</summary>
    private static async Task<List<DateTime>> PartitionMonthsAsync(NpgsqlConnection conn, CancellationToken cancellation)
    {
        await using var cmd = new NpgsqlCommand("""
            select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
            where i.inhparent = 'vdi_journal'::regclass and c.relname ~ '^vdi_journal_[0-9]{4}_[0-9]{2}$' order by 1
            """, conn);
        var months = new List<DateTime>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            var name = reader.GetString(0);
            months.Add(DateTime.SpecifyKind(DateTime.ParseExact(name["vdi_journal_".Length..], "yyyy_MM", CultureInfo.InvariantCulture), DateTimeKind.Utc));
        }

        return months;
    }

    private const string JournalColumns = "id, created, event_type, message, description, entity_type, entity_id, username, client_address";

    private async Task JournalAsync(NpgsqlConnection conn, DateTime cutoff, bool archive, Totals totals, CancellationToken cancellation)
    {
        foreach (var month in (await PartitionMonthsAsync(conn, cancellation)).Where(m => m < cutoff))
        {
            if (archive)
            {
                await ArchiveAsync(conn, "journal", month,
                    $"select {JournalColumns} from vdi_journal where created >= @low and created < @high order by created, id", totals, cancellation);
            }

            await using var drop = new NpgsqlCommand("select vdi_journal_drop_month(@m)", conn);
            drop.Parameters.AddWithValue("m", DateOnly.FromDateTime(month));
            totals.Journal += (long)(await drop.ExecuteScalarAsync(cancellation))!;
            totals.MonthsDropped++;
            LogMonthDropped(logger, month.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        }

        foreach (var month in (await DefaultMonthsAsync(conn, cancellation)).Where(m => m < cutoff))
        {
            if (archive)
            {
                await ArchiveAsync(conn, "journal", month,
                    $"select {JournalColumns} from vdi_journal_default where created >= @low and created < @high order by created, id", totals, cancellation);
            }

            await using var delete = new NpgsqlCommand("""
                with gone as (delete from vdi_journal_default where created >= @low and created < @high returning id)
                , reads as (delete from vdi_journal_reads r using gone where r.event_id = gone.id)
                select count(*) from gone
                """, conn);
            AddMonth(delete, month);
            totals.Journal += (long)(await delete.ExecuteScalarAsync(cancellation))!;
        }
    }

    private async Task SessionsAsync(NpgsqlConnection conn, DateTime cutoff, bool archive, Totals totals, CancellationToken cancellation)
    {
        var months = new List<DateTime>();
        await using (var list = new NpgsqlCommand("""
            select distinct date_trunc('month', disconnected at time zone 'UTC') from vdi_tk_sessions
            where disconnected is not null and disconnected < @cutoff order by 1
            """, conn))
        {
            list.Parameters.AddWithValue("cutoff", cutoff);
            await using var reader = await list.ExecuteReaderAsync(cancellation);
            while (await reader.ReadAsync(cancellation))
            {
                months.Add(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc));
            }
        }

        foreach (var month in months)
        {
            if (archive)
            {
                await ArchiveAsync(conn, "sessions", month, """
                    select id, user_id, username, veil_connect_version, tk_ip, tk_os, mac_address, hostname, gateway, connected, data_received,
                           last_interaction, disconnected, close_reason
                    from vdi_tk_sessions where disconnected >= @low and disconnected < @high order by disconnected, id
                    """, totals, cancellation);
                await ArchiveAsync(conn, "vm-connections", month, """
                    select c.id, c.session_id, c.vm_id, c.successful, c.conn_error_str, c.connection_type, c.is_connection_secure, c.connected_to_vm,
                           c.disconnected_from_vm, c.read_speed, c.write_speed, c.avg_rtt, c.loss_percentage
                    from vdi_tk_vm_connections c join vdi_tk_sessions s on s.id = c.session_id
                    where s.disconnected >= @low and s.disconnected < @high order by c.connected_to_vm, c.id
                    """, totals, cancellation);
            }

            while (true)
            {
                await using var delete = new NpgsqlCommand("""
                    with batch as (select id from vdi_tk_sessions where disconnected >= @low and disconnected < @high limit @n)
                    , connections as (delete from vdi_tk_vm_connections c using batch where c.session_id = batch.id returning 1)
                    , sessions as (delete from vdi_tk_sessions s using batch where s.id = batch.id returning 1)
                    select (select count(*) from sessions), (select count(*) from connections)
                    """, conn);
                AddMonth(delete, month);
                delete.Parameters.AddWithValue("n", O.BatchSize);
                await using var reader = await delete.ExecuteReaderAsync(cancellation);
                await reader.ReadAsync(cancellation);
                var (sessions, connections) = (reader.GetInt64(0), reader.GetInt64(1));
                totals.Sessions += sessions;
                totals.Connections += connections;
                if (sessions < O.BatchSize)
                {
                    break;
                }
            }
        }
    }

    private async Task TasksAsync(DateTimeOffset cutoff, Totals totals, CancellationToken cancellation)
    {
        var seen = new HashSet<Guid>();
        while (!cancellation.IsCancellationRequested)
        {
            var ids = (await tasks.EndedBeforeAsync(cutoff, O.BatchSize)).Where(seen.Add).ToList();
            if (ids.Count == 0)
            {
                break;
            }

            foreach (var batch in ids.Chunk(64))
            {
                var forgotten = await Task.WhenAll(batch.Select(id => grains.GetGrain<ITaskGrain>(id).ForgetAsync(cutoff)));
                totals.Tasks += forgotten.Count(f => f);
            }
        }
    }

    private static void AddMonth(NpgsqlCommand cmd, DateTime month)
    {
        cmd.Parameters.AddWithValue("low", month);
        cmd.Parameters.AddWithValue("high", month.AddMonths(1));
    }

    /// <summary>
    /// One month of a table as a gzipped CSV file (Postgres' own CSV, with a header), written to a temporary name,
    /// flushed to disk and renamed, so an archive is either whole or absent; a month archived twice (rows that arrived
    /// late) gets a second file, never overwrites the first.
    /// </summary>
    private async Task ArchiveAsync(NpgsqlConnection conn, string table, DateTime month, string select, Totals totals, CancellationToken cancellation)
    {
        var stem = $"{table}-{month:yyyy-MM}";
        var name = $"{stem}.csv.gz";
        for (var i = 2; File.Exists(Path.Combine(O.ArchiveDirectory, name)); i++)
        {
            name = $"{stem}.{i}.csv.gz";
        }

        var path = Path.Combine(O.ArchiveDirectory, name);
        var temporary = path + ".partial";
        var copy = select.Replace("@low", Literal(month), StringComparison.Ordinal).Replace("@high", Literal(month.AddMonths(1)), StringComparison.Ordinal);
        long rows = 0;
        try
        {
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            }

            await using (var file = new FileStream(temporary, fileOptions))
            {
                await using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
                await using (var writer = new StreamWriter(gzip, new System.Text.UTF8Encoding(false)))
                using (var export = await conn.BeginTextExportAsync($"copy ({copy}) to stdout with (format csv, header true)", cancellation))
                {
                    var buffer = new char[64 * 1024];
                    int read;
                    var records = 0L;
                    var quoted = false; // a line break inside a quoted field (a description's) ends no record
                    while ((read = await export.ReadAsync(buffer, cancellation)) > 0)
                    {
                        foreach (var c in buffer.AsSpan(0, read))
                        {
                            if (c == '"')
                            {
                                quoted = !quoted;
                            }
                            else if (c == '\n' && !quoted)
                            {
                                records++;
                            }
                        }

                        await writer.WriteAsync(buffer.AsMemory(0, read), cancellation);
                    }

                    rows = Math.Max(0, records - 1); // the header is not a row
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        totals.Archives.Add(new RetentionArchive(name, table, month.ToString("yyyy-MM", CultureInfo.InvariantCulture), rows, new FileInfo(path).Length));
        LogArchived(logger, name, rows);
    }

    /// <summary>A timestamp literal for COPY (which takes no parameters); from a DateTime the job computed, never from input.</summary>
    private static string Literal(DateTime utc) => $"'{utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00'::timestamptz";

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Retention run failed; the next run goes on")]
    private static partial void LogFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Information, Message = "Retention: journal month {Month} dropped")]
    private static partial void LogMonthDropped(ILogger logger, string month);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Retention: archive {Name} written ({Rows} rows)")]
    private static partial void LogArchived(ILogger logger, string name, long rows);
}
