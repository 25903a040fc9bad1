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

    private static Guid GuidFor(string name) => new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
}
