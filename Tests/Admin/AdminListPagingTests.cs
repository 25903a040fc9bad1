using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Admin;

/// <summary>
/// Issue 17: the admin lists at size. A journal page is reached by offset or by a keyset cursor (the previous page's
/// last event) with the same rows and the whole list's total; a total beyond 10,000 is Postgres' estimate, said so.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class AdminListPagingTests(LiveSystemFixture system)
{
    private async Task<HttpClient> AdminAsync() => GatewayClients.Http(system.GatewayUrls[0],
        await GatewayClients.LoginAsync(system.GatewayUrls[0], system.AdminUsername, system.AdminPassword));

    private static async Task InsertEventsAsync(string user, int count)
    {
        await using var cmd = TestDb.DataSource.CreateCommand("""
            insert into vdi_journal (event_type, message, username, created)
            select 0, 'paging ' || i, @u, now() - interval '3 hours' + (i / 2) * interval '1 second' from generate_series(1, @n) i
            """); // pairs of events share a time (the cursor's id breaks the tie), all at least 1.5 hours old: never the newest
        cmd.Parameters.AddWithValue("u", user);
        cmd.Parameters.AddWithValue("n", count);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_keyset_cursor_walks_the_journal_as_offsets_do_and_keeps_the_total()
    {
        using var http = await AdminAsync();
        var user = $"paging-{Guid.NewGuid():N}"[..20];
        await InsertEventsAsync(user, 7);

        var byOffset = new List<long>();
        for (var offset = 0; offset < 8; offset += 3)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?username={user}&limit=3&offset={offset}");
            Assert.Equal(7, page.GetProperty("count").GetInt64());
            Assert.False(page.GetProperty("count_estimated").GetBoolean());
            byOffset.AddRange(page.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        }

        var byCursor = new List<long>();
        var cursor = "";
        while (true)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?username={user}&limit=3{cursor}");
            Assert.Equal(7, page.GetProperty("count").GetInt64()); // the whole list's, not what is left after the cursor
            var rows = page.GetProperty("results").EnumerateArray().ToList();
            if (rows.Count == 0)
            {
                break;
            }

            byCursor.AddRange(rows.Select(r => r.GetProperty("id").GetInt64()));
            var last = rows[^1];
            cursor = $"&before={Uri.EscapeDataString(last.GetProperty("created").GetDateTimeOffset().ToString("O"))}&before_id={last.GetProperty("id").GetInt64()}";
        }

        Assert.Equal(7, byOffset.Count);
        Assert.Equal(byOffset, byCursor);
        Assert.Equal(byOffset.Count, byOffset.Distinct().Count());

        var half = await http.GetAsync($"/api/admin/journal?username={user}&before_id=5");
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode);
    }

    [Fact]
    public async Task A_total_beyond_ten_thousand_is_an_estimate_and_says_so()
    {
        using var http = await AdminAsync();
        var user = $"many-{Guid.NewGuid():N}"[..20];
        await InsertEventsAsync(user, 10_050);
        var page = await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?username={user}&limit=50");
        Assert.True(page.GetProperty("count_estimated").GetBoolean());
        Assert.True(page.GetProperty("count").GetInt64() > 10_000);
        Assert.Equal(50, page.GetProperty("results").GetArrayLength());

        // the last page's total is exact whatever the size: its end is the total
        var last = await http.GetFromJsonAsync<JsonElement>($"/api/admin/journal?username={user}&limit=100&offset=10000");
        Assert.Equal(10_050, last.GetProperty("count").GetInt64());
        Assert.False(last.GetProperty("count_estimated").GetBoolean());
        Assert.Equal(50, last.GetProperty("results").GetArrayLength());
    }
}
