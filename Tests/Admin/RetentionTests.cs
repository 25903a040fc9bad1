using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 17: retention. The journal is partitioned by month: a month past the period is archived to CSV and its
/// partition dropped (with its events' reads), rows of old months waiting in the default partition are archived and
/// deleted; closed sessions with their VM connections likewise; tasks that ended forget their records. What is within
/// the period stays; only a superuser changes the periods or runs it. The rows this test ages are from 2009, years
/// before any other test's (a run removes everything older than the periods it is given).
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class RetentionTests(LiveSystemFixture system)
{
    private Uri Gateway => system.GatewayUrls[0];

    private static async Task ExecAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = TestDb.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<string> ArchiveTextAsync(string path)
    {
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Old_months_are_archived_then_dropped_and_what_is_within_the_period_stays()
    {
        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        var tag = Guid.NewGuid().ToString("N")[..8];
        var reader = await TestDb.ScalarAsync<Guid>("select id from vdi_users where username = @u", ("u", system.AdminUsername));

        // the journal: one month with a partition of its own (its rows moved out of the default partition), one left in
        // the default partition, and an event of now
        await ExecAsync("insert into vdi_journal (event_type, message, description, created) values (1, @m, 'a description, \"quoted\"\nover two lines', '2009-05-10T08:00:00Z')",
            ("m", $"old-partitioned-{tag}"));
        await ExecAsync("select vdi_journal_month_partition('2009-05-01')");
        Assert.Equal("vdi_journal_2009_05", await TestDb.ScalarAsync<string>("select tableoid::regclass::text from vdi_journal where message = @m", ("m", $"old-partitioned-{tag}")));
        await ExecAsync("insert into vdi_journal (event_type, message, created) values (2, @m, '2009-03-02T10:00:00Z')", ("m", $"old-default-{tag}"));
        await ExecAsync("insert into vdi_journal (event_type, message, created) values (0, @m, now())", ("m", $"recent-{tag}"));
        await ExecAsync("insert into vdi_journal_reads (event_id, user_id) select id, @r from vdi_journal where message like @m", ("r", reader), ("m", $"%-{tag}"));

        // sessions: one closed in 2009 with its VM connection, one closed in 2013 (within 180 months)
        var oldSession = Guid.NewGuid();
        var keptSession = Guid.NewGuid();
        await ExecAsync("""
            insert into vdi_tk_sessions (id, user_id, username, connected, data_received, disconnected) values
              (@old, gen_random_uuid(), @u, '2009-06-01T09:00:00Z', '2009-06-01T09:00:00Z', '2009-06-01T17:00:00Z'),
              (@kept, gen_random_uuid(), @u, '2013-06-01T09:00:00Z', '2013-06-01T09:00:00Z', '2013-06-01T17:00:00Z')
            """, ("old", oldSession), ("kept", keptSession), ("u", $"ret-{tag}"));
        await ExecAsync("insert into vdi_tk_vm_connections (id, session_id, vm_id, connected_to_vm, disconnected_from_vm) values (gen_random_uuid(), @s, gen_random_uuid(), '2009-06-01T09:01:00Z', '2009-06-01T16:59:00Z')",
            ("s", oldSession));

        // tasks: a record that ended in 2009, one still in progress since 2009
        var endedTask = Guid.NewGuid();
        var runningTask = Guid.NewGuid();
        await ExecAsync("""
            insert into vdi_tasks (id, entity_id, task_type, status, progress, message, creator, created, started, finished) values
              (@ended, gen_random_uuid(), 'POOL_EXPAND', 'FINISHED', 100, 'done', 'retention-test', '2009-01-01Z', '2009-01-01Z', '2009-01-01T00:05:00Z'),
              (@running, gen_random_uuid(), 'POOL_EXPAND', 'IN_PROGRESS', 10, 'running', 'retention-test', '2009-01-01Z', '2009-01-01Z', null)
            """, ("ended", endedTask), ("running", runningTask));

        try
        {
            var put = await admin.PutAsJsonAsync("/api/admin/retention", new { journal_months = 180, session_months = 180, task_days = 3650, archive = true });
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
            var run = await (await admin.PostAsync("/api/admin/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Null, run.GetProperty("error").ValueKind);
            Assert.True(run.GetProperty("journal_months_dropped").GetInt32() >= 1);
            Assert.True(run.GetProperty("journal_removed").GetInt64() >= 2);
            Assert.True(run.GetProperty("sessions_removed").GetInt64() >= 1);
            Assert.True(run.GetProperty("vm_connections_removed").GetInt64() >= 1);
            Assert.True(run.GetProperty("tasks_removed").GetInt64() >= 1);
            // settled days rolled up into statistics first (from the oldest session kept on), and none older than the journal kept
            Assert.True(run.GetProperty("statistics_days_rolled_up").GetInt32() >= 1);
            var kept = DateOnly.FromDateTime(new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(-180));
            Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_stats_days where day >= @d", ("d", kept)) >= 1);
            Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_stats_days where day < @d", ("d", kept)));

            // gone from the database: the rows, the partition, the reads
            Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where message in (@a, @b)", ("a", $"old-partitioned-{tag}"), ("b", $"old-default-{tag}")));
            Assert.Null(await TestDb.ScalarAsync<string>("select to_regclass('vdi_journal_2009_05')::text"));
            Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where message = @m", ("m", $"recent-{tag}")));
            Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal_reads where user_id = @r and event_id in (select id from vdi_journal where message like @m)",
                ("r", reader), ("m", $"%-{tag}")));
            Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal_reads r where not exists (select 1 from vdi_journal e where e.id = r.event_id)"));
            Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where id = @s", ("s", oldSession)));
            Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_vm_connections where session_id = @s", ("s", oldSession)));
            Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where id = @s", ("s", keptSession)));
            Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tasks where id = @t", ("t", endedTask)));
            Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tasks where id = @t", ("t", runningTask)));

            // the archives: whole gzipped CSV files, readable by their group only, holding the rows removed
            var archives = run.GetProperty("archives").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
            Assert.Contains("journal-2009-05.csv.gz", archives.Keys);
            var may = archives.Values.Single(a => a.GetProperty("month").GetString() == "2009-05" && a.GetProperty("table").GetString() == "journal");
            Assert.Equal(1, may.GetProperty("rows").GetInt64()); // the description's quoted line break ends no record
            var mayText = await ArchiveTextAsync(Path.Combine(system.ArchiveDirectory, may.GetProperty("name").GetString()!));
            Assert.StartsWith("id,created,event_type,message,description", mayText, StringComparison.Ordinal);
            Assert.Contains($"old-partitioned-{tag}", mayText, StringComparison.Ordinal);
            Assert.Contains("\"a description, \"\"quoted\"\"\nover two lines\"", mayText, StringComparison.Ordinal);
            var march = archives.Values.Single(a => a.GetProperty("month").GetString() == "2009-03" && a.GetProperty("table").GetString() == "journal");
            Assert.Contains($"old-default-{tag}", await ArchiveTextAsync(Path.Combine(system.ArchiveDirectory, march.GetProperty("name").GetString()!)), StringComparison.Ordinal);
            var sessions = archives.Values.Single(a => a.GetProperty("month").GetString() == "2009-06" && a.GetProperty("table").GetString() == "sessions");
            Assert.Contains($"ret-{tag}", await ArchiveTextAsync(Path.Combine(system.ArchiveDirectory, sessions.GetProperty("name").GetString()!)), StringComparison.Ordinal);
            var connections = archives.Values.Single(a => a.GetProperty("month").GetString() == "2009-06" && a.GetProperty("table").GetString() == "vm-connections");
            Assert.Contains(oldSession.ToString(), await ArchiveTextAsync(Path.Combine(system.ArchiveDirectory, connections.GetProperty("name").GetString()!)), StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                File.GetUnixFileMode(Path.Combine(system.ArchiveDirectory, may.GetProperty("name").GetString()!)));
            Assert.Empty(Directory.GetFiles(system.ArchiveDirectory, "*.partial"));

            // journalled, and shown with the journal's months as stored
            Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where message = 'Retention applied.' and username = @u and description like '%journal-2009-05%'",
                ("u", system.AdminUsername)));
            var view = await admin.GetFromJsonAsync<JsonElement>("/api/admin/retention");
            Assert.Equal(180, view.GetProperty("journal_months").GetInt32());
            Assert.True(view.GetProperty("archive_configured").GetBoolean());
            Assert.Equal(run.GetProperty("started").GetDateTimeOffset(), view.GetProperty("last_run").GetProperty("started").GetDateTimeOffset());
            var partitions = view.GetProperty("journal_partitions").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Contains($"vdi_journal_{DateTime.UtcNow:yyyy_MM}", partitions);
            Assert.Contains($"vdi_journal_{DateTime.UtcNow.AddMonths(2):yyyy_MM}", partitions); // made ahead
            Assert.Contains("vdi_journal_default", partitions);

            // a second run finds nothing more and archives nothing
            var again = await (await admin.PostAsync("/api/admin/retention/run", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(0, again.GetProperty("archives").GetArrayLength());
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/retention", new { journal_months = 36, session_months = 13, task_days = 90, archive = true });
            await ExecAsync("delete from vdi_tk_sessions where id = @s", ("s", keptSession));
            await ExecAsync("delete from vdi_tasks where id = @t", ("t", runningTask));
        }
    }

    [Fact]
    public async Task A_task_that_ended_forgets_its_record_and_one_still_open_keeps_it()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var finished = await TestDb.ScalarAsync<Guid>("select id from vdi_tasks where pool_id = @p and status = 'FINISHED' limit 1", ("p", scenario.PoolId));
        var task = system.Grains.GetGrain<ITaskGrain>(finished);
        Assert.NotNull(await task.GetAsync());
        Assert.False(await task.ForgetAsync(DateTimeOffset.UtcNow.AddDays(-1))); // it ended after that
        Assert.NotNull(await task.GetAsync());
        Assert.True(await task.ForgetAsync(DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Null(await task.GetAsync()); // the state is gone, not only the row
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_tasks where id = @t", ("t", finished)));
    }

    [Fact]
    public async Task Only_a_superuser_changes_or_runs_the_retention_and_the_periods_are_bounded()
    {
        foreach (var (role, reads) in new[] { (Role.Operator, false), (Role.Administrator, true), (Role.SecurityAdministrator, true) })
        {
            var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, Gateway, role);
            using var http = GatewayClients.Http(Gateway, token);
            Assert.Equal(reads ? HttpStatusCode.OK : HttpStatusCode.Forbidden, (await http.GetAsync("/api/admin/retention")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PutAsJsonAsync("/api/admin/retention", new { journal_months = 2 })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/admin/retention/run", null)).StatusCode);
        }

        using var anonymous = GatewayClients.Http(Gateway);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/retention")).StatusCode);

        using var admin = GatewayClients.Http(Gateway, await GatewayClients.LoginAsync(Gateway, system.AdminUsername, system.AdminPassword));
        foreach (var body in new object[] { new { journal_months = 1 }, new { journal_months = -1 }, new { session_months = 601 }, new { task_days = 36_501 } })
        {
            var refused = await admin.PutAsJsonAsync("/api/admin/retention", body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        var unchanged = await admin.GetFromJsonAsync<JsonElement>("/api/admin/retention");
        Assert.NotEqual(1, unchanged.GetProperty("journal_months").GetInt32());
    }
}
