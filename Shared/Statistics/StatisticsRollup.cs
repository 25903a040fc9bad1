using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Vdi.Shared.Statistics;

/// <summary>
/// Reads a stretch of thin-client sessions, desktop connections and journalled logins and adds them up per pool
/// (<see cref="Guid.Empty"/>: the whole broker) as <see cref="StatisticsPart"/>s; rolls whole UTC days up into
/// <c>vdi_stats_days</c> / <c>vdi_stats_day_keys</c>; reads rolled-up days back. The definitions are the raw report's:
/// a pool's sessions are those that connected to one of its VMs, a session's logon ends at its first desktop within a
/// day of the stretch's end, concurrent sessions are swept over the stretch (ends before starts at one instant).
/// </summary>
public sealed class StatisticsRollup(NpgsqlDataSource db)
{
    public static readonly Guid Broker = Guid.Empty;

    private static readonly JsonSerializerOptions Json = new();

    private sealed record SessionRow(Guid Id, Guid UserId, string Username, string Os, string Version, DateTime Connected, DateTime? Disconnected, Guid[] Pools);

    private sealed record ConnectionRow(Guid SessionId, Guid? PoolId, string? PoolName, bool Successful, DateTime Connected, DateTime? Disconnected);

    private const string SessionColumns = """
        s.id, s.user_id, s.username, s.tk_os, s.veil_connect_version, s.connected, s.disconnected,
        array(select distinct v.pool_id from vdi_tk_vm_connections c join vdi_vms v on v.id = c.vm_id where c.session_id = s.id)
        """;

    /// <summary>The statistics of [<paramref name="from"/>, <paramref name="to"/>) per pool, and for the broker, from the rows themselves.</summary>
    public async Task<Dictionary<Guid, StatisticsPart>> ReadRawAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ReadRawAsync(conn, from, to, ct);
    }

    private static async Task<Dictionary<Guid, StatisticsPart>> ReadRawAsync(NpgsqlConnection conn, DateTime from, DateTime to, CancellationToken ct)
    {
        var sessions = new List<SessionRow>();
        var connections = new List<ConnectionRow>();
        var logins = new List<(DateTime Hour, long Ok, long Refused)>();
        await using (var batch = new NpgsqlBatch(conn))
        {
            void Add(string sql)
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.TimestampTz) { Value = from });
                command.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.TimestampTz) { Value = to });
                batch.BatchCommands.Add(command);
            }

            // the sessions open at some time of the stretch: begun in it, or begun before and closed after its start or not yet
            Add($"""
                select {SessionColumns} from vdi_tk_sessions s where s.connected >= @a and s.connected < @b
                union all select {SessionColumns} from vdi_tk_sessions s where s.disconnected > @a and s.connected < @a
                union all select {SessionColumns} from vdi_tk_sessions s where s.disconnected is null and s.connected < @a
                """);
            Add("""
                select c.session_id, v.pool_id, p.verbose_name, c.successful, c.connected_to_vm, c.disconnected_from_vm
                from vdi_tk_vm_connections c left join vdi_vms v on v.id = c.vm_id left join vdi_pools p on p.id = v.pool_id
                where c.connected_to_vm >= @a and c.connected_to_vm < @b + interval '1 day'
                """);
            Add("""
                select date_trunc('hour', created at time zone 'UTC'),
                       count(*) filter (where entity_type = 'AUTH' and message like 'User % has been logged in.'),
                       count(*) filter (where entity_type = 'SECURITY' and message like 'Authentication failed for user:%')
                from vdi_journal where entity_type in ('AUTH', 'SECURITY') and created >= @a and created < @b group by 1
                """);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                sessions.Add(new SessionRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetDateTime(5), reader.IsDBNull(6) ? null : reader.GetDateTime(6), reader.GetFieldValue<Guid[]>(7)));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                connections.Add(new ConnectionRow(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetBoolean(3), reader.GetDateTime(4), reader.IsDBNull(5) ? null : reader.GetDateTime(5)));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                logins.Add((DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        return Aggregate(from, to, sessions, connections, logins);
    }

    private static Dictionary<Guid, StatisticsPart> Aggregate(DateTime from, DateTime to, List<SessionRow> sessions, List<ConnectionRow> connections,
        List<(DateTime Hour, long Ok, long Refused)> logins)
    {
        var parts = new Dictionary<Guid, StatisticsPart> { [Broker] = new() };
        StatisticsPart Part(Guid pool) => parts.TryGetValue(pool, out var part) ? part : parts[pool] = new StatisticsPart();

        // desktops of each session: its first successful one and how many (within a day of the stretch's end)
        var desktops = new Dictionary<Guid, (DateTime First, long Count)>();
        foreach (var c in connections)
        {
            if (c.Successful && c.Connected >= from)
            {
                desktops[c.SessionId] = desktops.TryGetValue(c.SessionId, out var d) ? (c.Connected < d.First ? c.Connected : d.First, d.Count + 1) : (c.Connected, 1);
            }

            if (c.Connected < from || c.Connected >= to)
            {
                continue;
            }

            foreach (var pool in c.PoolId is { } p ? new[] { Broker, p } : [Broker])
            {
                var part = Part(pool);
                part.Count(c.Connected, c.Successful ? StatisticsPart.VmOkAt : StatisticsPart.VmFailedAt);
                if (c.Successful && c.Disconnected is { } end)
                {
                    part.VmConnectionDurations.Add((end - c.Connected).TotalSeconds);
                }

                if (c.Successful && c.PoolId is { } id && c.PoolName is { } name)
                {
                    part.CountKey('p', id.ToString(), name, 1, 0);
                }
            }
        }

        var sweeps = new Dictionary<Guid, List<(DateTime At, int Delta)>>();
        foreach (var s in sessions)
        {
            foreach (var pool in s.Pools.Length == 0 ? [Broker] : s.Pools.Prepend(Broker))
            {
                if (!sweeps.TryGetValue(pool, out var events))
                {
                    sweeps[pool] = events = [];
                }

                events.Add((s.Connected > from ? s.Connected : from, 1));
                if (s.Disconnected is { } end && end > from && end < to)
                {
                    events.Add((end, -1));
                }

                if (s.Connected < from)
                {
                    continue; // open in the stretch, begun before it
                }

                var part = Part(pool);
                part.Count(s.Connected, StatisticsPart.SessionsAt);
                if (s.Disconnected is { } closed)
                {
                    part.SessionDurations.Add((closed - s.Connected).TotalSeconds);
                }
                else
                {
                    part.OpenSessions++;
                }

                var desktop = desktops.GetValueOrDefault(s.Id);
                if (desktop.Count > 0)
                {
                    part.LogonDurations.Add((desktop.First - s.Connected).TotalSeconds);
                }

                part.CountKey('u', s.UserId.ToString(), s.Username, 1, desktop.Count);
                part.CountKey('o', s.Os.Length == 0 ? "unknown" : s.Os, "", 1, 0);
                part.CountKey('v', s.Version.Length == 0 ? "unknown" : s.Version, "", 1, 0);
            }
        }

        foreach (var (pool, events) in sweeps)
        {
            long open = 0, peak = 0;
            foreach (var e in events.OrderBy(e => e.At).ThenBy(e => e.Delta))
            {
                open += e.Delta;
                peak = Math.Max(peak, open);
            }

            Part(pool).Peak = peak;
        }

        foreach (var (hour, ok, refused) in logins)
        {
            parts[Broker].Count(hour, StatisticsPart.LoginsAt, ok);
            parts[Broker].Count(hour, StatisticsPart.LoginsFailedAt, refused);
        }

        return parts;
    }

    /// <summary>Rolls one UTC day up (again): its rows replaced in one transaction. Returns the pools it had rows for.</summary>
    public async Task<int> RollUpDayAsync(DateOnly day, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var from = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var parts = await ReadRawAsync(conn, from, from.AddDays(1), ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var delete = new NpgsqlCommand("delete from vdi_stats_days where day = @d; delete from vdi_stats_day_keys where day = @d; delete from vdi_stats_day_users where day = @d", conn, tx))
        {
            delete.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Date) { Value = day });
            await delete.ExecuteNonQueryAsync(ct);
        }

        await using (var insert = new NpgsqlBatch(conn, tx))
        {
            foreach (var (pool, part) in parts)
            {
                var command = new NpgsqlBatchCommand("insert into vdi_stats_days (day, pool_id, data, open_sessions) values (@d, @p, @data, @open)");
                command.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Date) { Value = day });
                command.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Uuid) { Value = pool });
                command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(part, Json) });
                command.Parameters.Add(new NpgsqlParameter("open", NpgsqlDbType.Integer) { Value = part.OpenSessions });
                insert.BatchCommands.Add(command);
            }

            await insert.ExecuteNonQueryAsync(ct);
        }

        var names = new Dictionary<Guid, string>();
        await using (var copy = await conn.BeginBinaryImportAsync("copy vdi_stats_day_keys (day, pool_id, kind, key, name, n, m) from stdin (format binary)", ct))
        {
            foreach (var (pool, part) in parts)
            {
                foreach (var ((kind, key), count) in part.Keys.Where(k => k.Key.Kind != 'u'))
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(day, NpgsqlDbType.Date, ct);
                    await copy.WriteAsync(pool, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(kind, NpgsqlDbType.InternalChar, ct);
                    await copy.WriteAsync(key, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(count.Name, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(count.N, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(count.M, NpgsqlDbType.Bigint, ct);
                }
            }

            await copy.CompleteAsync(ct);
        }

        await using (var copy = await conn.BeginBinaryImportAsync("copy vdi_stats_day_users (pool_id, day, user_id, sessions, desktops) from stdin (format binary)", ct))
        {
            foreach (var (pool, part) in parts)
            {
                foreach (var ((_, key), count) in part.Keys.Where(k => k.Key.Kind == 'u'))
                {
                    var user = Guid.Parse(key);
                    names[user] = count.Name;
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(pool, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(day, NpgsqlDbType.Date, ct);
                    await copy.WriteAsync(user, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync((int)count.N, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync((int)count.M, NpgsqlDbType.Integer, ct);
                }
            }

            await copy.CompleteAsync(ct);
        }

        if (names.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("""
                insert into vdi_stats_user_names (user_id, name) select * from unnest(@ids, @names)
                on conflict (user_id) do update set name = excluded.name where vdi_stats_user_names.name <> excluded.name
                """, conn, tx);
            upsert.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = names.Keys.ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter("names", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = names.Values.ToArray() });
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return parts.Count - 1;
    }

    /// <summary>
    /// The days to roll up now: settled days (ended two days ago or earlier) since <paramref name="oldest"/> or the first
    /// recorded session, connection or login, that have no rollup yet; and days of the last month rolled up while
    /// sessions of theirs were open (their durations were not known yet). Oldest first, at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<DateOnly>> DaysDueAsync(DateTimeOffset now, DateOnly oldest, int limit, CancellationToken ct)
    {
        var last = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-2);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            with first as (
                select least((select min(connected) from vdi_tk_sessions), (select min(connected_to_vm) from vdi_tk_vm_connections),
                             (select min(created) from vdi_journal where entity_type in ('AUTH', 'SECURITY'))) as at)
            select d::date from first, generate_series(greatest(@oldest, (first.at at time zone 'UTC')::date), @last, interval '1 day') d
            where first.at is not null
              and not exists (select 1 from vdi_stats_days s where s.day = d::date and s.pool_id = @broker and (s.open_sessions = 0 or s.day < @last - 31))
            order by 1 limit @limit
            """, conn);
        command.Parameters.Add(new NpgsqlParameter("oldest", NpgsqlDbType.Date) { Value = oldest });
        command.Parameters.Add(new NpgsqlParameter("last", NpgsqlDbType.Date) { Value = last });
        command.Parameters.Add(new NpgsqlParameter("broker", NpgsqlDbType.Uuid) { Value = Broker });
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit });
        var days = new List<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            days.Add(reader.GetFieldValue<DateOnly>(0));
        }

        return days;
    }

    /// <summary>Rollups of days before <paramref name="before"/> deleted (the journal's retention: statistics outlive sessions, not the journal).</summary>
    public async Task<long> ForgetBeforeAsync(DateOnly before, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            "delete from vdi_stats_day_keys where day < @d; delete from vdi_stats_day_users where day < @d; delete from vdi_stats_days where day < @d", conn);
        command.Parameters.Add(new NpgsqlParameter("d", NpgsqlDbType.Date) { Value = before });
        var removed = await command.ExecuteNonQueryAsync(ct);
        if (removed > 0)
        {
            // names of users no kept day mentions (only after a removal: the hourly run does not scan the users for nothing)
            await using var names = new NpgsqlCommand(
                "delete from vdi_stats_user_names n where not exists (select 1 from vdi_stats_day_users u where u.user_id = n.user_id)", conn);
            await names.ExecuteNonQueryAsync(ct);
        }

        return removed;
    }

    /// <summary>Rolled-up days in [<paramref name="from"/>, <paramref name="to"/>): the broker's part of each and the pool's (when one is asked).</summary>
    public async Task<(SortedSet<DateOnly> Days, StatisticsPart Broker, StatisticsPart Pool)> ReadDaysAsync(DateOnly from, DateOnly to, Guid? pool, CancellationToken ct)
    {
        var days = new SortedSet<DateOnly>();
        var broker = new StatisticsPart();
        var ofPool = pool is null ? broker : new StatisticsPart();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using (var command = new NpgsqlCommand("select day, pool_id, data::text from vdi_stats_days where day >= @a and day < @b and pool_id = any(@p)", conn))
        {
            command.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.Date) { Value = from });
            command.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Date) { Value = to });
            command.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = pool is { } p ? new[] { Broker, p } : new[] { Broker } });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var part = JsonSerializer.Deserialize<StatisticsPart>(reader.GetString(2), Json)!;
                if (reader.GetGuid(1) == Broker)
                {
                    days.Add(reader.GetFieldValue<DateOnly>(0));
                    broker.Merge(part);
                }

                if (pool is { } wanted && reader.GetGuid(1) == wanted)
                {
                    ofPool.Merge(part);
                }
            }
        }

        if (days.Count == 0)
        {
            return (days, broker, ofPool);
        }

        // the keys and users of those days, summed by the server (a year of users is many rows)
        await using (var keys = new NpgsqlCommand("""
            select kind, key, max(name), sum(n)::bigint, sum(m)::bigint from vdi_stats_day_keys
            where pool_id = @p and day >= @a and day < @b group by kind, key;
            select 'u'::"char", u.user_id::text, coalesce(n.name, ''), u.sessions, u.desktops from (
                select user_id, sum(sessions)::bigint as sessions, sum(desktops)::bigint as desktops from vdi_stats_day_users
                where pool_id = @p and day >= @a and day < @b group by user_id) u
            left join vdi_stats_user_names n on n.user_id = u.user_id
            """, conn))
        {
            keys.Parameters.Add(new NpgsqlParameter("a", NpgsqlDbType.Date) { Value = from });
            keys.Parameters.Add(new NpgsqlParameter("b", NpgsqlDbType.Date) { Value = to });
            keys.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Uuid) { Value = pool ?? Broker });
            await using var reader = await keys.ExecuteReaderAsync(ct);
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    ofPool.CountKey(reader.GetChar(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4));
                }
            }
            while (await reader.NextResultAsync(ct));
        }

        return (days, broker, ofPool);
    }
}
