using Dapper;
using Npgsql;
using Vdi.Shared.Postgres;
using Vdi.WebGateway.Apis.Admin.Rows;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The admin lists, paged and sorted in SQL over the grains' projections (vdi_*), so a pool of 10,000 VMs or a year
/// of tasks never activates a grain per row. Rows are typed (<see cref="Rows"/>), read by Dapper from snake-case columns.
/// </summary>
public sealed class AdminQueries(NpgsqlDataSource db)
{
    static AdminQueries() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public Task<Page<ControllerRow>> ControllersAsync(Paging paging) => PageAsync<ControllerRow>(
        "from vdi_controllers c", Order(paging.Ordering, "c", "c.verbose_name, c.id", "verbose_name", "status", "created", "address"),
        "id, verbose_name, address, description, status, version, created, updated", [], paging);

    private string? _loginDomain;
    private DateTimeOffset _loginDomainRead = DateTimeOffset.MinValue;

    /// <summary>The domain of the directory logins go to (the first enabled), "" without one; read at most every 5 s.</summary>
    public async Task<string> LoginDirectoryDomainAsync()
    {
        if (_loginDomain is { } cached && DateTimeOffset.UtcNow - _loginDomainRead < TimeSpan.FromSeconds(5))
        {
            return cached;
        }

        try
        {
            await using var cmd = db.CreateCommand("select domain from vdi_directories where enabled order by created, id limit 1");
            var domain = await cmd.ExecuteScalarAsync() as string ?? "";
            (_loginDomain, _loginDomainRead) = (domain, DateTimeOffset.UtcNow);
            return domain;
        }
        catch (NpgsqlException) when (_loginDomain is { } known)
        {
            return known; // VeiL Connect asks before every login: a database hiccup answers what was known, not a 503
        }
    }

    public Task<Page<DirectoryRow>> DirectoriesAsync(Paging paging) => PageAsync<DirectoryRow>(
        "from vdi_directories d", Order(paging.Ordering, "d", "d.verbose_name, d.id", "verbose_name", "domain", "created"), "id, verbose_name, kind, domain, servers, enabled, created, updated", [], paging);

    public Task<Page<PoolRow>> PoolsAsync(string? status, Guid? controllerId, string? search, Paging paging)
    {
        var order = Order(paging.Ordering, "p", "p.verbose_name, p.id", "verbose_name", "created", "status", "pool_type", "total_size");
        return PageAsync<PoolRow>(
            "from vdi_pools p where (@status::text is null or p.status = @status::text) and (@controller::uuid is null or p.controller_id = @controller::uuid) " +
            "and (@q::text is null or p.verbose_name ilike @q::text escape '\\')",
            order,
            "p.id, p.verbose_name, p.pool_type, p.status, p.controller_id, p.total_size, p.reserve_size, p.created, (select count(*) from vdi_vms v where v.pool_id = p.id) as vm_count, (select count(*) from vdi_vm_owners o where o.pool_id = p.id) as users_count",
            [("status", (object?)status ?? DBNull.Value), ("controller", controllerId is { } c ? c : DBNull.Value), ("q", Contains(search))], paging);
    }

    /// <summary>An ILIKE pattern that finds the text anywhere, its own %, _ and \ taken literally; null (no filter) for blank text.</summary>
    private static object Contains(string? search)
    {
        if (string.IsNullOrWhiteSpace(search))
        {
            return DBNull.Value;
        }

        var text = search.Trim();
        text = text.Length > 128 ? text[..128] : text;
        return "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
    }

    /// <summary>An ORDER BY from <c>ordering</c> (<c>name</c> or <c>-name</c>) among named expressions, else the default.</summary>
    private static string OrderBy(string? ordering, string fallback, params (string Name, string Expression)[] allowed)
    {
        var field = ordering?.TrimStart('-');
        var found = allowed.FirstOrDefault(a => a.Name == field);
        return found.Expression is { } expression ? $"{expression}{(ordering!.StartsWith('-') ? " desc" : "")}, {fallback}" : fallback;
    }

    /// <summary>An ORDER BY from a whitelisted <c>ordering</c> (<c>name</c> or <c>-name</c>), else the default.</summary>
    private static string Order(string? ordering, string alias, string fallback, params string[] allowed)
    {
        var field = ordering?.TrimStart('-');
        return field is not null && allowed.Contains(field)
            ? $"{alias}.{field}{(ordering!.StartsWith('-') ? " desc" : "")}, {alias}.id"
            : fallback;
    }

    public Task<Page<PoolVmRow>> PoolVmsAsync(Guid poolId, string? search, Paging paging) => VmsAsync(poolId, search, null, paging);

    /// <summary>VMs the broker knows: of one pool or of all, found by name, by status; with their pool and owners.</summary>
    public Task<Page<PoolVmRow>> VmsAsync(Guid? poolId, string? search, string? status, Paging paging) => PageAsync<PoolVmRow>(
        "from vdi_vms v where (@pool::uuid is null or v.pool_id = @pool::uuid) and (@q::text is null or v.verbose_name ilike @q::text escape '\\') " +
        "and (@status::text is null or v.status = @status::text)",
        Order(paging.Ordering, "v", "v.verbose_name, v.id", "verbose_name", "status", "power_state", "updated"),
        "v.id, v.verbose_name, v.status, v.power_state, v.created_by_broker, v.updated, v.pool_id, (select p.verbose_name from vdi_pools p where p.id = v.pool_id) as pool_name, " +
        "coalesce((select array_agg(o.user_id) from vdi_vm_owners o where o.vm_id = v.id), '{}') as owners",
        [("pool", poolId is { } p ? p : DBNull.Value), ("q", Contains(search)), ("status", (object?)status?.ToUpperInvariant() ?? DBNull.Value)], paging);

    public Task<Page<TaskRow>> TasksAsync(string? status, string? type, Guid? poolId, Paging paging) => PageAsync<TaskRow>(
        "from vdi_tasks t where (@status::text is null or t.status = @status::text) and (@type::text is null or t.task_type = @type::text) and (@pool::uuid is null or t.pool_id = @pool::uuid)",
        Order(paging.Ordering, "t", "t.created desc, t.id", "created", "status", "task_type", "finished", "progress"),
        "t.id, t.entity_id, t.pool_id, t.task_type, t.status, t.progress, t.message, t.creator, t.created, t.started, t.finished, t.resumable, t.priority",
        [("status", (object?)status ?? DBNull.Value), ("type", (object?)type ?? DBNull.Value), ("pool", poolId is { } p ? p : DBNull.Value)], paging);

    /// <summary>The journal's filters: level (event_type 0-3), entity type and id, user, time range, unread by the reader.</summary>
    public sealed record JournalFilter(int? EventType, string? EntityType, Guid? EntityId, string? User, DateTimeOffset? From, DateTimeOffset? To, bool UnreadOnly);

    private const string JournalWhere = """
        from vdi_journal e
        where (@type::smallint is null or e.event_type = @type::smallint)
          and (@entity_type::text is null or e.entity_type = @entity_type::text)
          and (@entity_id::uuid is null or e.entity_id = @entity_id::uuid)
          and (@user::text is null or e.username = @user::text)
          and (@from::timestamptz is null or e.created >= @from::timestamptz)
          and (@to::timestamptz is null or e.created < @to::timestamptz)
          and (not @unread or not exists (select 1 from vdi_journal_reads r where r.event_id = e.id and r.user_id = @reader))
        """;

    private static (string, object)[] JournalParameters(JournalFilter f, Guid reader) =>
    [
        ("type", f.EventType is { } t ? (short)t : DBNull.Value),
        ("entity_type", (object?)f.EntityType?.ToUpperInvariant() ?? DBNull.Value),
        ("entity_id", f.EntityId is { } id ? id : DBNull.Value),
        ("user", (object?)f.User ?? DBNull.Value),
        ("from", f.From is { } from ? from : DBNull.Value),
        ("to", f.To is { } to ? to : DBNull.Value),
        ("unread", f.UnreadOnly),
        ("reader", reader),
    ];

    private const string JournalColumns =
        "e.id, e.event_type, e.message, e.description, e.entity_type, e.entity_id, e.username as user, e.client_address, e.created, " +
        "exists (select 1 from vdi_journal_reads r where r.event_id = e.id and r.user_id = @reader) as read";

    /// <summary>
    /// The journal, newest first. The page's keys are found first (from the indexes on created and id alone, without
    /// the rows' text: a deep page skips index entries, not rows), then only its rows are read; a keyset cursor
    /// (<c>before_id</c> with <c>before</c>, the last row of the previous page) reaches any depth at the cost of the first page.
    /// </summary>
    public Task<Page<JournalRow>> JournalAsync(JournalFilter filter, Guid reader, Paging paging, (DateTimeOffset Created, long Id)? before = null)
    {
        var parameters = JournalParameters(filter, reader).Append(("before", before is { } b ? b.Created : DBNull.Value))
            .Append(("before_id", before is { } k ? k.Id : DBNull.Value)).ToArray();
        var where = JournalWhere + " and (@before::timestamptz is null or (e.created, e.id) < (@before::timestamptz, @before_id::bigint))";
        var rows = $"""
            select {JournalColumns} from vdi_journal e
            join (select e.id, e.created {where} order by e.created desc, e.id desc limit {paging.Take} offset {paging.Skip}) k on k.id = e.id and k.created = e.created
            order by e.created desc, e.id desc
            """;
        // a keyset page's total is the whole list's, not what is left after the cursor
        return PageAsync<JournalRow>(where, "", JournalColumns, parameters, paging, rows, before is null ? null : JournalWhere);
    }

    /// <summary>Marks events read (the ids given, or every event matching the filter); the number newly marked.</summary>
    /// <summary>How many active superusers there are (the last one is never deactivated or demoted).</summary>
    public async Task<long> ActiveSuperusersAsync()
    {
        await using var cmd = db.CreateCommand("select count(*) from vdi_users where is_superuser and is_active");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<int> MarkReadAsync(Guid reader, IReadOnlyList<long>? ids, JournalFilter filter)
    {
        await using var cmd = ids is { Count: > 0 }
            ? db.CreateCommand("insert into vdi_journal_reads (event_id, user_id) select unnest(@ids), @reader on conflict do nothing")
            : db.CreateCommand($"insert into vdi_journal_reads (event_id, user_id) select e.id, @reader {JournalWhere} on conflict do nothing");
        if (ids is { Count: > 0 })
        {
            cmd.Parameters.AddWithValue("ids", ids.ToArray());
            cmd.Parameters.AddWithValue("reader", reader);
        }
        else
        {
            foreach (var (name, value) in JournalParameters(filter with { UnreadOnly = false }, reader))
            {
                cmd.Parameters.AddWithValue(name, value);
            }
        }

        return await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The journal as CSV rows (RFC 4180), oldest first, streamed.</summary>
    public async IAsyncEnumerable<string> JournalCsvAsync(JournalFilter filter, Guid reader)
    {
        yield return "id,created,level,message,description,entity_type,entity_id,user,client_address\r\n";
        await using var cmd = db.CreateCommand(
            $"select e.id, e.created, e.event_type, e.message, e.description, e.entity_type, e.entity_id, e.username, e.client_address {JournalWhere} order by e.created, e.id");
        foreach (var (name, value) in JournalParameters(filter, reader))
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        string[] levels = ["INFO", "WARNING", "ERROR", "DEBUG"];
        await using var reader0 = await cmd.ExecuteReaderAsync();
        while (await reader0.ReadAsync())
        {
            var level = reader0.GetInt16(2);
            yield return string.Join(',',
                reader0.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                reader0.GetFieldValue<DateTimeOffset>(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                level is >= 0 and <= 3 ? levels[level] : level.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Csv(reader0.GetString(3)), Csv(reader0.GetString(4)),
                reader0.IsDBNull(5) ? "" : reader0.GetString(5),
                reader0.IsDBNull(6) ? "" : reader0.GetGuid(6).ToString(),
                Csv(reader0.GetString(7)), Csv(reader0.GetString(8))) + "\r\n";
        }
    }

    /// <summary>
    /// One CSV cell: quoted when it must be, and a cell a spreadsheet would run as a formula (starting with = + - @,
    /// a tab or a carriage return: OWASP's CSV injection) is neutralised with a leading apostrophe.
    /// </summary>
    public static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    /// <summary>
    /// Thin-client sessions (the original's thin_clients query): the active ones, or all with <paramref name="withDisconnected"/>.
    /// The page's sessions are found first (an index on connected), then only they are joined to their current desktop:
    /// a deep page of a million sessions does not join the rows it skips.
    /// </summary>
    public Task<Page<SessionRow>> SessionsAsync(bool withDisconnected, Guid? userId, TimeSpan afkTimeout, Paging paging)
    {
        const string where = "from vdi_tk_sessions s where (@all or s.disconnected is null) and (@user::uuid is null or s.user_id = @user::uuid)";
        var order = Order(paging.Ordering, "s", "s.connected desc, s.id", "connected", "disconnected", "username", "tk_ip", "tk_os", "veil_connect_version");
        const string columns =
            "s.id as conn_id, s.user_id, s.username as user_name, s.veil_connect_version, v.verbose_name as vm_name, c.vm_id, s.tk_ip, s.tk_os, " +
            "s.connected, s.disconnected, s.data_received, s.last_interaction, " +
            "(s.last_interaction is null or s.last_interaction < now() - @afk * interval '1 second') as is_afk, c.connection_type, c.is_connection_secure, " +
            "c.read_speed, c.write_speed, c.avg_rtt, c.loss_percentage, s.mac_address, s.hostname, s.gateway, s.close_reason";
        var rows = $"""
            select {columns}
            from (select s.* {where} order by {order} limit {paging.Take} offset {paging.Skip}) s
            left join lateral (select c.vm_id, c.connection_type, c.is_connection_secure, c.read_speed, c.write_speed, c.avg_rtt, c.loss_percentage
                from vdi_tk_vm_connections c where c.session_id = s.id and c.disconnected_from_vm is null order by c.connected_to_vm desc limit 1) c on true
            left join vdi_vms v on v.id = c.vm_id
            order by {order}
            """;
        return PageAsync<SessionRow>(where, order, columns,
            [("all", withDisconnected), ("user", userId is { } u ? u : DBNull.Value), ("afk", afkTimeout.TotalSeconds)], paging, rows);
    }

    public Task<Page<UserRow>> UsersAsync(string? search, Paging paging) => PageAsync<UserRow>(
        "from vdi_users u where (@q::text is null or u.username ilike '%' || @q::text || '%' or u.last_name ilike '%' || @q::text || '%' or u.email ilike '%' || @q::text || '%')",
        Order(paging.Ordering, "u", "lower(u.username), u.id", "username", "last_name", "created", "last_login", "is_active"),
        "u.id, u.username, u.first_name, u.last_name, u.email, u.is_superuser, u.is_active, u.roles, u.created, u.last_login, u.directory_id",
        [("q", (object?)(string.IsNullOrWhiteSpace(search) ? null : search.Trim()) ?? DBNull.Value)], paging);

    public Task<Page<GroupRow>> GroupsAsync(Paging paging) => PageAsync<GroupRow>(
        "from vdi_groups g", OrderBy(paging.Ordering, "lower(g.verbose_name), g.id", ("verbose_name", "lower(g.verbose_name)")),
        "g.id, g.verbose_name, g.description, g.roles, g.tk_permissions, (select count(*) from vdi_group_members m where m.group_id = g.id) as members_count",
        [], paging);

    public Task<Page<MemberRow>> GroupMembersAsync(Guid groupId, Paging paging) => PageAsync<MemberRow>(
        "from vdi_group_members m join vdi_users u on u.id = m.user_id where m.group_id = @g",
        OrderBy(paging.Ordering, "lower(u.username), u.id", ("username", "lower(u.username)"), ("last_name", "lower(u.last_name)")),
        "u.id, u.username, u.first_name, u.last_name", [("g", groupId)], paging);

    public Task<Page<MemberRow>> PoolUsersAsync(Guid poolId, Paging paging) => PageAsync<MemberRow>(
        "from vdi_pool_entitlements e join vdi_users u on u.id = e.user_id where e.pool_id = @p",
        OrderBy(paging.Ordering, "lower(u.username), u.id", ("username", "lower(u.username)"), ("last_name", "lower(u.last_name)")),
        "u.id, u.username, u.first_name, u.last_name, (select o.vm_id from vdi_vm_owners o where o.pool_id = e.pool_id and o.user_id = u.id limit 1) as vm_id",
        [("p", poolId)], paging);

    public Task<Page<NamedRow>> PoolGroupsAsync(Guid poolId, Paging paging) => PageAsync<NamedRow>(
        "from vdi_pool_entitlements e join vdi_groups g on g.id = e.group_id where e.pool_id = @p", "lower(g.verbose_name), g.id",
        "g.id, g.verbose_name", [("p", poolId)], paging);

    /// <summary>What the dashboard shows: counts by status, live sessions, running tasks.</summary>
    public async Task<Dictionary<string, object>> SummaryAsync()
    {
        await using var cmd = db.CreateCommand("""
            select 'controllers' as what, status as key, count(*) from vdi_controllers group by status
            union all select 'pools', status, count(*) from vdi_pools group by status
            union all select 'vms', status, count(*) from vdi_vms group by status
            union all select 'vm_power', power_state::text, count(*) from vdi_vms group by power_state
            union all select 'vms_assigned', 'assigned', count(distinct vm_id) from vdi_vm_owners
            union all select 'thin_clients', 'connected', count(*) from vdi_tk_sessions where disconnected is null
            union all select 'tasks', status, count(*) from vdi_tasks where status in ('INITIAL', 'IN_PROGRESS') group by status
            union all select 'users', 'total', count(*) from vdi_users
            """);
        var summary = new Dictionary<string, object>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var what = reader.GetString(0);
            if (!summary.TryGetValue(what, out var bucket))
            {
                summary[what] = bucket = new Dictionary<string, long>();
            }

            ((Dictionary<string, long>)bucket)[reader.GetString(1)] = reader.GetInt64(2);
        }

        return summary;
    }

    public async Task<IReadOnlyList<Guid>> UnfinishedTasksAsync(Guid? poolId, Guid? controllerId)
    {
        await using var cmd = db.CreateCommand("""
            select t.id from vdi_tasks t left join vdi_pools p on p.id = t.pool_id
            where t.status in ('INITIAL', 'IN_PROGRESS')
              and (@pool::uuid is null or t.pool_id = @pool::uuid)
              and (@controller::uuid is null or p.controller_id = @controller::uuid)
            """);
        cmd.Parameters.AddWithValue("pool", poolId is { } p ? p : DBNull.Value);
        cmd.Parameters.AddWithValue("controller", controllerId is { } c ? c : DBNull.Value);
        return await cmd.ReadGuidsAsync();
    }

    /// <summary>Totals up to this are counted exactly; beyond it the planner's estimate is given.</summary>
    public const int ExactCountLimit = 10_000;

    /// <summary>
    /// One page: the rows (<paramref name="rowsSql"/> when the list has its own way to them, else <c>select columns from
    /// order limit offset</c>), and the total: the rows themselves when the page is the last, else a count that stops at
    /// <see cref="ExactCountLimit"/>, else Postgres' estimate.
    /// </summary>
    private async Task<Page<T>> PageAsync<T>(string from, string order, string columns, (string Name, object Value)[] parameters, Paging paging,
        string? rowsSql = null, string? countFrom = null)
        where T : AdminRow
    {
        var args = new DynamicParameters();
        foreach (var (name, value) in parameters)
        {
            args.Add(name, value is DBNull ? null : value);
        }

        await using var connection = await db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<T>(
            rowsSql ?? $"select {columns} {from} order by {order} limit {paging.Take} offset {paging.Skip}", args)).AsList();
        if (countFrom is null && rows.Count < paging.Take && (rows.Count > 0 || paging.Skip == 0))
        {
            return new Page<T>(paging.Skip + rows.Count, rows); // the last page: its end is the total
        }

        from = countFrom ?? from;

        var counted = await connection.ExecuteScalarAsync<long>($"select count(*) from (select 1 {from} limit {ExactCountLimit + 1}) x", args);
        if (counted <= ExactCountLimit)
        {
            return new Page<T>(counted, rows);
        }

        var plan = await connection.ExecuteScalarAsync<string>($"explain (format json) select 1 {from}", args);
        using var json = System.Text.Json.JsonDocument.Parse(plan ?? "[]");
        var estimate = json.RootElement.EnumerateArray().Select(p => (long)p.GetProperty("Plan").GetProperty("Plan Rows").GetDouble()).FirstOrDefault();
        return new Page<T>(Math.Max(estimate, Math.Max(counted, paging.Skip + rows.Count)), rows, CountEstimated: true);
    }
}
