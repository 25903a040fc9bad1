using Npgsql;
using NpgsqlTypes;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Shared.Statistics;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The original's pool usage statistics, done in SQL over the thin-client sessions and VM connections: counts per
/// interval, durations and their percentiles, the peak of concurrent sessions, top pools and users, client systems
/// and versions, and the logon duration (a thin client's socket to its first desktop). One round trip (a batch).
/// </summary>
public sealed class StatisticsQueries(NpgsqlDataSource db, TimeProvider time, StatisticsRollup rollup)
{
    /// <summary>The most intervals one answer holds (a year by day, a month by hour).</summary>
    public const int MaxBuckets = 1000;

    public static readonly IReadOnlyDictionary<string, (string Unit, TimeSpan Approximate)> Intervals = new Dictionary<string, (string, TimeSpan)>
    {
        ["hour"] = ("hour", TimeSpan.FromHours(1)),
        ["day"] = ("day", TimeSpan.FromDays(1)),
        ["week"] = ("week", TimeSpan.FromDays(7)),
        ["month"] = ("month", TimeSpan.FromDays(28)),
    };

    /// <summary>One interval: sessions, desktop connections and failed ones (of the pool when one is given), and the broker's logins and refused logins (from the journal, broker-wide).</summary>
    public sealed record Bucket(DateTimeOffset Start, long Sessions, long VmConnections, long VmConnectionsFailed, long Logins, long LoginsFailed);

    public sealed record Durations(double? Average, double? P50, double? P90, double? P99, long Count);

    public sealed record Named(string Name, long Count, Guid? Id = null);

    public sealed record Report(DateTimeOffset From, DateTimeOffset To, string Interval, Guid? PoolId, IReadOnlyList<Bucket> Series,
        long Sessions, long Users, long VmConnections, long VmConnectionsFailed, long PeakConcurrentSessions,
        Durations SessionDurationSeconds, Durations VmConnectionDurationSeconds, Durations LogonDurationSeconds,
        IReadOnlyList<Named> TopPools, IReadOnlyList<Named> TopUsers, IReadOnlyList<Named> ClientOs, IReadOnlyList<Named> ClientVersions);

    /// <summary>Checks the period: from before to, the interval one of hour/day/week/month, at most <see cref="MaxBuckets"/> of them.</summary>
    public (DateTimeOffset From, DateTimeOffset To, string Interval) Period(DateTimeOffset? from, DateTimeOffset? to, string? interval)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        var name = string.IsNullOrWhiteSpace(interval) ? "day" : interval.Trim().ToLowerInvariant();
        if (!Intervals.TryGetValue(name, out var unit))
        {
            throw BrokerException.Invalid("interval", "interval: hour, day, week or month");
        }

        if (start >= end)
        {
            throw BrokerException.Invalid("from", "from must be before to");
        }

        if ((end - start) / unit.Approximate > MaxBuckets)
        {
            throw BrokerException.Invalid("interval", $"interval: at most {MaxBuckets} of them in the period (a longer interval, or a shorter period)");
        }

        return (start, end, name);
    }

    // sessions of the period; with a pool, those that connected to one of its VMs
    private const string Sessions = """
        select s.* from vdi_tk_sessions s
        where s.connected >= @from and s.connected < @to
          and (@pool is null or exists (select 1 from vdi_tk_vm_connections c join vdi_vms v on v.id = c.vm_id where c.session_id = s.id and v.pool_id = @pool))
        """;

    private const string Connections = """
        select c.*, v.pool_id from vdi_tk_vm_connections c left join vdi_vms v on v.id = c.vm_id
        where c.connected_to_vm >= @from and c.connected_to_vm < @to and (@pool is null or v.pool_id = @pool)
        """;

    /// <summary>
    /// The report: from the rolled-up days the period covers whole and the rows of the rest (its edges, days not rolled
    /// up yet); a period without a rolled-up day entirely from the rows (exact percentiles).
    /// </summary>
    public async Task<Report> ReportAsync(DateTimeOffset from, DateTimeOffset to, string interval, Guid? pool, CancellationToken ct)
    {
        var firstDay = DateOnly.FromDateTime(from.UtcDateTime.TimeOfDay == TimeSpan.Zero ? from.UtcDateTime : from.UtcDateTime.Date.AddDays(1));
        var endDay = DateOnly.FromDateTime(to.UtcDateTime.Date);
        if (firstDay < endDay)
        {
            var (days, broker, ofPool) = await rollup.ReadDaysAsync(firstDay, endDay, pool, ct);
            if (days.Count > 0)
            {
                return await CombinedAsync(from, to, interval, pool, days, broker, ofPool, ct);
            }
        }

        return await RawAsync(from, to, interval, pool, ct);
    }

    /// <summary>The stretches of the period that are not rolled-up days, read raw.</summary>
    public static IReadOnlyList<(DateTime From, DateTime To)> RawStretches(DateTime from, DateTime to, SortedSet<DateOnly> rolled)
    {
        var stretches = new List<(DateTime, DateTime)>();
        var start = from;
        foreach (var day in rolled)
        {
            var dayStart = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            if (dayStart > start)
            {
                stretches.Add((start, dayStart));
            }

            start = dayStart.AddDays(1);
        }

        if (start < to)
        {
            stretches.Add((start, to));
        }

        return stretches;
    }

    /// <summary>The start (UTC) of the interval <paramref name="at"/> is in, as Postgres' date_trunc (weeks begin on Monday).</summary>
    public static DateTime Truncate(DateTime at, string interval) => interval switch
    {
        "hour" => new DateTime(at.Year, at.Month, at.Day, at.Hour, 0, 0, DateTimeKind.Utc),
        "day" => at.Date,
        "week" => at.Date.AddDays(-(((int)at.DayOfWeek + 6) % 7)),
        _ => new DateTime(at.Year, at.Month, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    private static DateTime Next(DateTime start, string interval) => interval switch
    {
        "hour" => start.AddHours(1),
        "day" => start.AddDays(1),
        "week" => start.AddDays(7),
        _ => start.AddMonths(1),
    };

    private async Task<Report> CombinedAsync(DateTimeOffset from, DateTimeOffset to, string interval, Guid? pool, SortedSet<DateOnly> days,
        StatisticsPart broker, StatisticsPart ofPool, CancellationToken ct)
    {
        var (start, end) = (from.UtcDateTime, to.UtcDateTime);
        foreach (var (a, b) in RawStretches(start, end, days))
        {
            var parts = await rollup.ReadRawAsync(a, b, ct);
            if (pool is { } p)
            {
                broker.Merge(parts[StatisticsRollup.Broker]);
                if (parts.TryGetValue(p, out var part))
                {
                    ofPool.Merge(part);
                }
            }
            else
            {
                ofPool.Merge(parts[StatisticsRollup.Broker]);
            }
        }

        var buckets = new SortedDictionary<DateTime, long[]>();
        for (var b = Truncate(start, interval); b < end; b = Next(b, interval))
        {
            buckets[b] = new long[5];
        }

        void Add(StatisticsPart part, params int[] what)
        {
            foreach (var (hour, counts) in part.Hours)
            {
                if (buckets.TryGetValue(Truncate(hour, interval), out var bucket))
                {
                    foreach (var i in what)
                    {
                        bucket[i] += counts[i];
                    }
                }
            }
        }

        Add(ofPool, StatisticsPart.SessionsAt, StatisticsPart.VmOkAt, StatisticsPart.VmFailedAt);
        Add(broker, StatisticsPart.LoginsAt, StatisticsPart.LoginsFailedAt); // logins are the broker's, whatever the pool
        var series = buckets.Select(b => new Bucket(new DateTimeOffset(b.Key), b.Value[0], b.Value[1], b.Value[2], b.Value[3], b.Value[4])).ToList();

        static Durations Of(DurationHistogram h)
        {
            double? Round(double? v) => v is { } x ? Math.Round(x, 3) : null;
            return new Durations(Round(h.Average), Round(h.Percentile(0.5)), Round(h.Percentile(0.9)), Round(h.Percentile(0.99)), h.Count);
        }

        IEnumerable<(string Key, KeyCount Count)> Keys(char kind) => ofPool.Keys.Where(k => k.Key.Kind == kind).Select(k => (k.Key.Key, k.Value));
        var totals = ofPool.Hours.Values.Aggregate(new long[5], (sum, c) => { for (var i = 0; i < 5; i++) { sum[i] += c[i]; } return sum; });
        var topPools = Keys('p').OrderByDescending(k => k.Count.N).ThenBy(k => k.Count.Name, StringComparer.Ordinal).Take(10)
            .Select(k => new Named(k.Count.Name, k.Count.N, Guid.Parse(k.Key))).ToList();
        var topUsers = Keys('u').Where(k => k.Count.M > 0).GroupBy(k => k.Count.Name).Select(g => new Named(g.Key, g.Sum(k => k.Count.M)))
            .OrderByDescending(n => n.Count).ThenBy(n => n.Name, StringComparer.Ordinal).Take(10).ToList();
        List<Named> Top(char kind) => [.. Keys(kind).OrderByDescending(k => k.Count.N).ThenBy(k => k.Key, StringComparer.Ordinal).Take(20).Select(k => new Named(k.Key, k.Count.N))];
        return new Report(from, to, interval, pool, series, totals[0], Keys('u').Count(), totals[1], totals[2], ofPool.Peak,
            Of(ofPool.SessionDurations), Of(ofPool.VmConnectionDurations), Of(ofPool.LogonDurations), topPools, topUsers, Top('o'), Top('v'));
    }

    private async Task<Report> RawAsync(DateTimeOffset from, DateTimeOffset to, string interval, Guid? pool, CancellationToken ct)
    {
        var unit = Intervals[interval].Unit;
        await using var batch = db.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter("pool", NpgsqlDbType.Uuid) { Value = pool is { } p ? p : DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("unit", NpgsqlDbType.Text) { Value = unit });
            batch.BatchCommands.Add(command);
        }

        // 0: the series, every interval present (empty ones as zeros), in UTC
        Add($"""
            with buckets as (
                select generate_series(date_trunc(@unit, @from at time zone 'UTC'), (@to at time zone 'UTC') - interval '1 microsecond', ('1 ' || @unit)::interval) as start),
            s as (select date_trunc(@unit, connected at time zone 'UTC') as b, count(*) as n from ({Sessions}) x group by 1),
            c as (select date_trunc(@unit, connected_to_vm at time zone 'UTC') as b, count(*) filter (where successful) as ok, count(*) filter (where not successful) as failed
                  from ({Connections}) y group by 1)
            , j as (select date_trunc(@unit, created at time zone 'UTC') as b,
                       count(*) filter (where entity_type = 'AUTH' and message like 'User % has been logged in.') as logins,
                       count(*) filter (where entity_type = 'SECURITY' and message like 'Authentication failed for user:%') as refused
                  from vdi_journal where entity_type in ('AUTH', 'SECURITY') and created >= @from and created < @to group by 1)
            select buckets.start at time zone 'UTC', coalesce(s.n, 0), coalesce(c.ok, 0), coalesce(c.failed, 0), coalesce(j.logins, 0), coalesce(j.refused, 0)
            from buckets left join s on s.b = buckets.start left join c on c.b = buckets.start left join j on j.b = buckets.start order by 1
            """);
        // 1: totals
        Add($"""
            select (select count(*) from ({Sessions}) a), (select count(distinct user_id) from ({Sessions}) b),
                   (select count(*) filter (where successful) from ({Connections}) c), (select count(*) filter (where not successful) from ({Connections}) d)
            """);
        // 2: the peak of concurrent sessions (a sweep over starts and ends; at one instant, ends first)
        Add($"""
            select coalesce(max(n), 0) from (
                select sum(d) over (order by t, d rows unbounded preceding) as n from (
                    -- the sessions open at some time of the period: closed after its start (the index on disconnected) or still open
                    select greatest(s.connected, @from) as t, 1 as d from vdi_tk_sessions s
                     where s.connected < @to and s.disconnected > @from
                       and (@pool is null or exists (select 1 from vdi_tk_vm_connections c join vdi_vms v on v.id = c.vm_id where c.session_id = s.id and v.pool_id = @pool))
                    union all
                    select greatest(s.connected, @from), 1 from vdi_tk_sessions s
                     where s.connected < @to and s.disconnected is null
                       and (@pool is null or exists (select 1 from vdi_tk_vm_connections c join vdi_vms v on v.id = c.vm_id where c.session_id = s.id and v.pool_id = @pool))
                    union all
                    select s.disconnected, -1 from vdi_tk_sessions s
                     where s.disconnected > @from and s.disconnected < @to and s.connected < @to
                       and (@pool is null or exists (select 1 from vdi_tk_vm_connections c join vdi_vms v on v.id = c.vm_id where c.session_id = s.id and v.pool_id = @pool))
                ) e) x
            """);
        // 3-5: durations (ended ones), and the logon duration: the socket to the session's first desktop
        const string Percentiles = "avg(d), percentile_cont(0.5) within group (order by d), percentile_cont(0.9) within group (order by d), percentile_cont(0.99) within group (order by d), count(*)";
        Add($"select {Percentiles} from (select extract(epoch from (disconnected - connected))::float8 as d from ({Sessions}) a where disconnected is not null) x");
        Add($"select {Percentiles} from (select extract(epoch from (disconnected_from_vm - connected_to_vm))::float8 as d from ({Connections}) a where successful and disconnected_from_vm is not null) x");
        // (a session's first desktop within a day of the period's end: one pass over the period's connections, joined by hash)
        Add($"""
            select {Percentiles} from (
                select extract(epoch from (f.first - s.connected))::float8 as d
                from ({Sessions}) s
                join (select c.session_id, min(c.connected_to_vm) as first from vdi_tk_vm_connections c
                      where c.successful and c.connected_to_vm >= @from and c.connected_to_vm < @to + interval '1 day' group by c.session_id) f on f.session_id = s.id) x
            """);
        // 6-9: top pools and users by VM connections, client systems and VeiL Connect versions by sessions
        Add($"select p.verbose_name, count(*), p.id from ({Connections}) c join vdi_pools p on p.id = c.pool_id where c.successful group by p.id, p.verbose_name order by 2 desc, p.verbose_name collate \"C\" limit 10");
        // top users: the desktops their sessions of the period opened
        Add($"""
            select s.username, count(*) from ({Sessions}) s
            join vdi_tk_vm_connections c on c.session_id = s.id and c.successful and c.connected_to_vm >= @from and c.connected_to_vm < @to + interval '1 day'
            group by s.username order by 2 desc, s.username collate "C" limit 10
            """);
        Add($"select coalesce(nullif(tk_os, ''), 'unknown') collate \"C\", count(*) from ({Sessions}) a group by 1 order by 2 desc, 1 limit 20");
        Add($"select coalesce(nullif(veil_connect_version, ''), 'unknown') collate \"C\", count(*) from ({Sessions}) a group by 1 order by 2 desc, 1 limit 20");

        await using var reader = await batch.ExecuteReaderAsync(ct);
        var series = new List<Bucket>();
        while (await reader.ReadAsync(ct))
        {
            series.Add(new Bucket(new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5)));
        }

        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var (sessions, users, ok, failed) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var peak = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);

        async Task<Durations> DurationsAsync()
        {
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            double? At(int i) => reader.IsDBNull(i) ? null : Math.Round(reader.GetDouble(i), 3);
            return new Durations(At(0), At(1), At(2), At(3), reader.GetInt64(4));
        }

        var sessionDurations = await DurationsAsync();
        var vmDurations = await DurationsAsync();
        var logons = await DurationsAsync();

        async Task<IReadOnlyList<Named>> NamedAsync(bool withId)
        {
            await reader.NextResultAsync(ct);
            var list = new List<Named>();
            while (await reader.ReadAsync(ct))
            {
                list.Add(new Named(reader.GetString(0), reader.GetInt64(1), withId ? reader.GetGuid(2) : null));
            }

            return list;
        }

        var topPools = await NamedAsync(true);
        var topUsers = await NamedAsync(false);
        var os = await NamedAsync(false);
        var versions = await NamedAsync(false);
        return new Report(from, to, interval, pool, series, sessions, users, ok, failed, peak, sessionDurations, vmDurations, logons, topPools, topUsers, os, versions);
    }
}
