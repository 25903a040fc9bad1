using Npgsql;
using NpgsqlTypes;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The original's pool usage statistics, done in SQL over the thin-client sessions and VM connections: counts per
/// interval, durations and their percentiles, the peak of concurrent sessions, top pools and users, client systems
/// and versions, and the logon duration (a thin client's socket to its first desktop). One round trip (a batch).
/// </summary>
public sealed class StatisticsQueries(NpgsqlDataSource db, TimeProvider time)
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

    public async Task<Report> ReportAsync(DateTimeOffset from, DateTimeOffset to, string interval, Guid? pool, CancellationToken ct)
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
        Add($"select p.verbose_name, count(*), p.id from ({Connections}) c join vdi_pools p on p.id = c.pool_id where c.successful group by p.id, p.verbose_name order by 2 desc, 1 limit 10");
        // top users: the desktops their sessions of the period opened
        Add($"""
            select s.username, count(*) from ({Sessions}) s
            join vdi_tk_vm_connections c on c.session_id = s.id and c.successful and c.connected_to_vm >= @from and c.connected_to_vm < @to + interval '1 day'
            group by s.username order by 2 desc, 1 limit 10
            """);
        Add($"select coalesce(nullif(tk_os, ''), 'unknown'), count(*) from ({Sessions}) a group by 1 order by 2 desc, 1 limit 20");
        Add($"select coalesce(nullif(veil_connect_version, ''), 'unknown'), count(*) from ({Sessions}) a group by 1 order by 2 desc, 1 limit 20");

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
