using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 17: <c>GET /api/admin/statistics</c> over sessions and VM connections written on a day of their own (so the
/// other tests' traffic is not in it): counts per hour, totals, the peak of concurrent sessions, durations and the
/// logon duration's percentiles, top pools and users, client systems, the pool filter, CSV, and refused periods.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class StatisticsTests(LiveSystemFixture system)
{
    private static async Task InsertAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = TestDb.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_statistics_of_a_day_count_sessions_and_desktops_per_hour_with_their_peak_durations_and_tops()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        var vm = await TestDb.ScalarAsync<Guid>("select id from vdi_vms where pool_id = @p limit 1", ("p", scenario.PoolId));
        var other = Guid.NewGuid(); // a VM of no pool: its session is not the pool's
        // a day of its own, years before the other tests' traffic: three sessions that overlap at 11:00, one elsewhere
        var day = new DateTimeOffset(2021, 3, 1 + Random.Shared.Next(0, 27), 0, 0, 0, TimeSpan.Zero).AddYears(-Random.Shared.Next(0, 5));
        var tag = Guid.NewGuid().ToString("N")[..6];
        (string User, string Os, int Start, int Minutes, int LogonSeconds, Guid Vm)[] sessions =
        [
            ($"st-a-{tag}", "Windows", 10 * 60, 120, 30, vm),
            ($"st-b-{tag}", "Linux", 10 * 60 + 30, 60, 60, vm),
            ($"st-a-{tag}", "Windows", 11 * 60, 45, 90, vm),
            ($"st-c-{tag}", "Linux", 11 * 60 + 10, 20, 15, other),
        ];
        foreach (var s in sessions)
        {
            var id = Guid.NewGuid();
            var connected = day.AddMinutes(s.Start);
            await InsertAsync("""
                insert into vdi_tk_sessions (id, user_id, username, veil_connect_version, tk_os, connected, data_received, disconnected)
                values (@id, @user, @name, '1.14.9', @os, @connected, @connected, @ended)
                """, ("id", id), ("user", GuidFor(s.User)), ("name", s.User), ("os", s.Os), ("connected", connected), ("ended", connected.AddMinutes(s.Minutes)));
            await InsertAsync("""
                insert into vdi_tk_vm_connections (id, session_id, vm_id, successful, connection_type, connected_to_vm, disconnected_from_vm)
                values (@id, @session, @vm, true, 'SPICE', @at, @until)
                """, ("id", Guid.NewGuid()), ("session", id), ("vm", s.Vm), ("at", connected.AddSeconds(s.LogonSeconds)), ("until", connected.AddMinutes(s.Minutes - 1)));
        }

        // one failed attempt on the pool's VM
        var firstSession = await TestDb.ScalarAsync<Guid>("select id from vdi_tk_sessions where username = @u order by connected limit 1", ("u", $"st-a-{tag}"));
        await InsertAsync("insert into vdi_tk_vm_connections (id, session_id, vm_id, successful, conn_error_str, connected_to_vm) values (@id, @s, @vm, false, 'refused', @at)",
            ("id", Guid.NewGuid()), ("s", firstSession), ("vm", vm), ("at", day.AddMinutes(10 * 60 + 5)));

        // the journal's logins and refused logins of that day (broker-wide, whatever the pool)
        foreach (var (type, entity, message, minute) in new[] { (0, "AUTH", $"User st-a-{tag} has been logged in.", 10 * 60 + 1), (0, "AUTH", $"User st-b-{tag} has been logged in.", 10 * 60 + 29),
                     (1, "SECURITY", $"Authentication failed for user: st-x-{tag}.", 10 * 60 + 40), (0, "USER", "User st-z has been logged in.", 10 * 60 + 41) })
        {
            await InsertAsync("insert into vdi_journal (event_type, message, entity_type, created) values (@t, @m, @e, @at)",
                ("t", (short)type), ("m", message), ("e", entity), ("at", day.AddMinutes(minute)));
        }

        await ForgetRollupsAsync(DateOnly.FromDateTime(day.UtcDateTime));
        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Vdi.Grains.Interfaces.Users.Role.Operator);
        using var http = GatewayClients.Http(system.GatewayUrls[0], token);
        var period = $"from={Uri.EscapeDataString(day.ToString("O"))}&to={Uri.EscapeDataString(day.AddDays(1).ToString("O"))}";
        var report = await http.GetFromJsonAsync<JsonElement>($"/api/admin/statistics?{period}&interval=hour&pool_id={scenario.PoolId}");

        var series = report.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(24, series.Count);
        Assert.Equal(day, series[0].GetProperty("start").GetDateTimeOffset());
        Assert.Equal(2, series[10].GetProperty("sessions").GetInt64());
        Assert.Equal(1, series[10].GetProperty("vm_connections_failed").GetInt64());
        Assert.Equal(2, series[10].GetProperty("logins").GetInt64()); // (the USER entry is no login)
        Assert.Equal(1, series[10].GetProperty("logins_failed").GetInt64());
        Assert.Equal(0, series[11].GetProperty("logins").GetInt64());
        Assert.Equal(1, series[11].GetProperty("sessions").GetInt64()); // the fourth session is not the pool's
        Assert.Equal(3, report.GetProperty("sessions").GetInt64());
        Assert.Equal(2, report.GetProperty("users").GetInt64());
        Assert.Equal(3, report.GetProperty("vm_connections").GetInt64());
        Assert.Equal(1, report.GetProperty("vm_connections_failed").GetInt64());
        Assert.Equal(3, report.GetProperty("peak_concurrent_sessions").GetInt64());
        Assert.Equal(3600, report.GetProperty("session_duration_seconds").GetProperty("p50").GetDouble());
        Assert.Equal(60, report.GetProperty("logon_duration_seconds").GetProperty("p50").GetDouble());
        Assert.Equal(3, report.GetProperty("logon_duration_seconds").GetProperty("count").GetInt64());
        Assert.Equal(scenario.PoolId, report.GetProperty("top_pools")[0].GetProperty("id").GetGuid());
        Assert.Equal(3, report.GetProperty("top_pools")[0].GetProperty("count").GetInt64());
        Assert.Equal(($"st-a-{tag}", 2L), (report.GetProperty("top_users")[0].GetProperty("name").GetString(), report.GetProperty("top_users")[0].GetProperty("count").GetInt64()));
        Assert.Equal(("Windows", 2L), (report.GetProperty("client_os")[0].GetProperty("name").GetString(), report.GetProperty("client_os")[0].GetProperty("count").GetInt64()));

        // without the pool: the fourth session counts, and the peak is four
        var all = await http.GetFromJsonAsync<JsonElement>($"/api/admin/statistics?{period}&interval=hour");
        Assert.True(all.GetProperty("sessions").GetInt64() >= 4);
        Assert.True(all.GetProperty("peak_concurrent_sessions").GetInt64() >= 4);

        // the series as CSV for a spreadsheet
        var csv = await http.GetAsync($"/api/admin/statistics?{period}&interval=hour&pool_id={scenario.PoolId}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("start,sessions,vm_connections,vm_connections_failed,logins,logins_failed", lines[0]);
        Assert.Equal(25, lines.Length);
        Assert.EndsWith(",2,2,1,2,1", lines[11]);

        // refused periods: 400 naming the field
        foreach (var (query, field) in new[]
                 {
                     ($"{period}&interval=minute", "interval"),
                     ($"from={Uri.EscapeDataString(day.AddYears(-3).ToString("O"))}&to={Uri.EscapeDataString(day.ToString("O"))}&interval=hour", "interval"),
                     ($"from={Uri.EscapeDataString(day.ToString("O"))}&to={Uri.EscapeDataString(day.ToString("O"))}", "from"),
                 })
        {
            var refused = await http.GetAsync($"/api/admin/statistics?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(field, await refused.Content.ReadAsStringAsync());
        }

        var (_, _, plain) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0]);
        using var nobody = GatewayClients.Http(system.GatewayUrls[0], plain);
        Assert.Equal(HttpStatusCode.Forbidden, (await nobody.GetAsync($"/api/admin/statistics?{period}")).StatusCode);
    }

    [Fact]
    public async Task Rolled_up_days_answer_as_the_rows_do_with_percentiles_within_two_percent()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 2, users: 1);
        var vms = new List<Guid>();
        await using (var cmd = TestDb.DataSource.CreateCommand("select id from vdi_vms where pool_id = @p"))
        {
            cmd.Parameters.AddWithValue("p", scenario.PoolId);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                vms.Add(reader.GetGuid(0));
            }
        }

        vms.Add(Guid.NewGuid()); // a VM of no pool
        // four days of July of a year of their own (the other statistics test writes into March), the first and the
        // last in the period only in part: the two whole ones are rolled up, the edges read raw
        var random = new Random();
        var first = new DateTimeOffset(2017 + random.Next(0, 4), 7, 1 + random.Next(0, 25), 0, 0, 0, TimeSpan.Zero);
        var tag = Guid.NewGuid().ToString("N")[..6];
        string[] systems = ["Windows", "Linux", "Astra", ""];
        string[] versions = ["1.14.9", "1.14.8", ""];
        await using (var batch = TestDb.DataSource.CreateBatch())
        {
            void Add(string sql, params (string Name, object Value)[] parameters)
            {
                var command = new NpgsqlBatchCommand(sql);
                foreach (var (name, value) in parameters)
                {
                    command.Parameters.AddWithValue(name, value);
                }

                batch.BatchCommands.Add(command);
            }

            for (var i = 0; i < 400; i++)
            {
                var id = Guid.NewGuid();
                var user = $"ru-{random.Next(0, 12)}-{tag}";
                var connected = first.AddMinutes(random.Next(0, 4 * 24 * 60)).AddSeconds(random.Next(0, 60));
                var ended = i % 25 == 0 ? (DateTimeOffset?)null : connected.AddSeconds(random.Next(30, 12 * 3600)); // some still open, some over midnight
                Add("""
                    insert into vdi_tk_sessions (id, user_id, username, veil_connect_version, tk_os, connected, data_received, disconnected)
                    values (@id, @user, @name, @version, @os, @connected, @connected, @ended)
                    """, ("id", id), ("user", GuidFor(user)), ("name", user), ("version", versions[random.Next(versions.Length)]), ("os", systems[random.Next(systems.Length)]),
                    ("connected", connected), ("ended", ended is { } e ? e : DBNull.Value));
                for (var c = random.Next(0, 3); c > 0; c--)
                {
                    var at = connected.AddSeconds(random.Next(1, 600));
                    var ok = random.Next(0, 6) > 0;
                    Add("""
                        insert into vdi_tk_vm_connections (id, session_id, vm_id, successful, connection_type, connected_to_vm, disconnected_from_vm)
                        values (@id, @session, @vm, @ok, 'SPICE', @at, @until)
                        """, ("id", Guid.NewGuid()), ("session", id), ("vm", vms[random.Next(vms.Count)]), ("ok", ok), ("at", at),
                        ("until", ok && ended is { } end && end > at ? end : DBNull.Value));
                }

                Add("insert into vdi_journal (event_type, message, entity_type, created) values (@t, @m, @e, @at)",
                    ("t", (short)(i % 7 == 0 ? 1 : 0)), ("m", i % 7 == 0 ? $"Authentication failed for user: {user}." : $"User {user} has been logged in."),
                    ("e", i % 7 == 0 ? "SECURITY" : "AUTH"), ("at", connected.AddSeconds(-1)));
            }

            await batch.ExecuteNonQueryAsync();
        }

        var (_, _, token) = await GatewayClients.UserWithRolesAsync(system.Grains, system.GatewayUrls[0], Vdi.Grains.Interfaces.Users.Role.Operator);
        using var http = GatewayClients.Http(system.GatewayUrls[0], token);
        var rollup = system.SiloServices.GetRequiredService<Vdi.Shared.Statistics.StatisticsRollup>();
        var days = Enumerable.Range(0, 4).Select(d => DateOnly.FromDateTime(first.AddDays(d).UtcDateTime)).ToList();
        try
        {
            foreach (var (query, interval) in new[] { ($"pool_id={scenario.PoolId}", "hour"), ("", "day"), ($"pool_id={scenario.PoolId}", "week") })
            {
                var period = $"from={Uri.EscapeDataString(first.AddHours(7).ToString("O"))}&to={Uri.EscapeDataString(first.AddDays(3).AddHours(13).ToString("O"))}&interval={interval}&{query}";
                await ForgetRollupsAsync([.. days]);
                var raw = await http.GetFromJsonAsync<JsonElement>($"/api/admin/statistics?{period}");
                foreach (var day in days.Skip(1).Take(2))
                {
                    await rollup.RollUpDayAsync(day, CancellationToken.None);
                }

                var rolled = await http.GetFromJsonAsync<JsonElement>($"/api/admin/statistics?{period}");
                Assert.Equal(raw.GetProperty("series").ToString(), rolled.GetProperty("series").ToString());
                foreach (var field in new[] { "sessions", "users", "vm_connections", "vm_connections_failed", "peak_concurrent_sessions" })
                {
                    Assert.True(raw.GetProperty(field).GetInt64() == rolled.GetProperty(field).GetInt64(), $"{field} ({interval}): {raw.GetProperty(field)} raw, {rolled.GetProperty(field)} rolled up");
                }

                Assert.True(raw.GetProperty("sessions").GetInt64() > 100);
                foreach (var field in new[] { "top_pools", "top_users", "client_os", "client_versions" })
                {
                    Assert.Equal(raw.GetProperty(field).ToString(), rolled.GetProperty(field).ToString());
                }

                foreach (var durations in new[] { "session_duration_seconds", "vm_connection_duration_seconds", "logon_duration_seconds" })
                {
                    var (exact, estimated) = (raw.GetProperty(durations), rolled.GetProperty(durations));
                    Assert.Equal(exact.GetProperty("count").GetInt64(), estimated.GetProperty("count").GetInt64());
                    Assert.True(exact.GetProperty("count").GetInt64() > 10, durations);
                    Assert.Equal(exact.GetProperty("average").GetDouble(), estimated.GetProperty("average").GetDouble(), 0.01);
                    foreach (var p in new[] { "p50", "p90", "p99" })
                    {
                        var (e, r) = (exact.GetProperty(p).GetDouble(), estimated.GetProperty(p).GetDouble());
                        Assert.True(Math.Abs(e - r) <= (0.02 * e) + 0.05, $"{durations} {p} ({interval}): {e} exact, {r} from the rollups");
                    }
                }
            }

            // what a retention run rolls up: settled days (two days ago and before) with no rollup yet, and not today
            Assert.Equal(2L, await TestDb.ScalarAsync<long>("select count(*) from vdi_stats_days where day = any(@d) and pool_id = @b", ("d", days.ToArray()), ("b", Guid.Empty)));
            var due = await rollup.DaysDueAsync(DateTimeOffset.UtcNow, days[0], 10, CancellationToken.None);
            Assert.Equal(days[0], due[0]);
            Assert.DoesNotContain(days[1], due);
            Assert.DoesNotContain(days[2], due);
            Assert.Equal(days[3], due[1]);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            Assert.All(await rollup.DaysDueAsync(DateTimeOffset.UtcNow, today.AddDays(-5), 100, CancellationToken.None), d => Assert.True(d <= today.AddDays(-2)));
        }
        finally
        {
            await ForgetRollupsAsync([.. days]);
        }
    }

    /// <summary>Rows written into settled days after the fact: whatever a retention run rolled up of them is out of date.</summary>
    private static Task ForgetRollupsAsync(params DateOnly[] days) =>
        InsertAsync("delete from vdi_stats_days where day = any(@d); delete from vdi_stats_day_keys where day = any(@d); delete from vdi_stats_day_users where day = any(@d)",
            ("d", days));

    private static Guid GuidFor(string name) => new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
}
