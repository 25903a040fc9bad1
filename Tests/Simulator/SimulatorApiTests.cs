using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Simulator;

/// <summary>The simulator behaves like ECP VeiL at the API level: lists, tasks, events, idempotency, faults.</summary>
public sealed class SimulatorApiTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorHost.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Lists_page_filter_and_select_fields()
    {
        var page = await _sim.Http.GetFromJsonAsync<JsonElement>("/api/domains/?template=0&limit=2&offset=1&ordering=verbose_name&fields=id,verbose_name");
        Assert.Equal(7, page.GetProperty("count").GetInt32());
        var results = page.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["dev-2", "office-1"], results.Select(r => r.GetProperty("verbose_name").GetString()));
        Assert.All(results, r => Assert.Equal(2, r.EnumerateObject().Count()));
        Assert.Contains("offset=3", page.GetProperty("next").GetString());

        var on = await _sim.Http.GetFromJsonAsync<JsonElement>("/api/domains/?power_state=ON&template=0");
        Assert.Equal(["office-1", "dev-1", "rds-1"], on.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("verbose_name").GetString()));
        var templates = await _sim.Http.GetFromJsonAsync<JsonElement>("/api/domains/?template=1");
        Assert.All(templates.GetProperty("results").EnumerateArray(), t => Assert.True(t.GetProperty("template").GetBoolean()));
        var nodes = await _sim.Http.GetFromJsonAsync<JsonElement>("/api/nodes/");
        Assert.All(nodes.GetProperty("results").EnumerateArray(), n => Assert.Equal("127.0.0.1", n.GetProperty("management_ip").GetString()));
    }

    [Fact]
    public async Task Power_action_answers_202_with_a_task_and_changes_state_when_it_finishes()
    {
        var id = await _sim.DomainIdAsync("office-2");
        var response = await _sim.Http.PostAsJsonAsync($"/api/domains/{id}/start/", new { force = false });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var taskId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("_task").GetProperty("id").GetGuid();

        Assert.True(await Eventually.TrueAsync(async () =>
            (await _sim.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}/")).GetProperty("status").GetString() == "SUCCESS",
            TimeSpan.FromSeconds(10)));
        Assert.Equal(3, (await _sim.GetDomainAsync(id)).GetProperty("user_power_state").GetInt32());
        Assert.True(await Eventually.TrueAsync(async () =>
            (await _sim.GetDomainAsync(id)).GetProperty("guest_utils").GetProperty("ipv4").GetArrayLength() == 1, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_repeated_idempotency_key_does_not_repeat_the_operation()
    {
        var template = await _sim.DomainIdAsync("tpl-astra");
        var body = new { parent = template, verbose_name = "idem", count = 2, thin = true, idempotency_key = Guid.NewGuid() };
        var first = await (await _sim.Http.PostAsJsonAsync("/api/domains/multi-create-domain/", body)).Content.ReadFromJsonAsync<JsonElement>();
        var second = await (await _sim.Http.PostAsJsonAsync("/api/domains/multi-create-domain/", body)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("_task").GetProperty("id").GetGuid(), second.GetProperty("_task").GetProperty("id").GetGuid());

        var taskId = first.GetProperty("_task").GetProperty("id").GetGuid();
        Assert.True(await Eventually.TrueAsync(async () =>
            (await _sim.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}/")).GetProperty("is_finished").GetBoolean(), TimeSpan.FromSeconds(10)));
        var clones = await _sim.Http.GetFromJsonAsync<JsonElement>("/api/domains/?template=0&fields=verbose_name");
        Assert.Equal(2, clones.GetProperty("results").EnumerateArray().Count(d => d.GetProperty("verbose_name").GetString()!.StartsWith("idem-")));
    }

    [Fact]
    public async Task With_a_state_file_the_domains_and_tags_it_made_outlive_a_restart()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sim-state-{Guid.NewGuid():N}", "state.json");
        var name = $"kept-{Guid.NewGuid():N}";
        Guid clone, tag;
        await using (var first = await SimulatorHost.StartAsync(name: name, stateFile: file))
        {
            var template = await first.DomainIdAsync("tpl-astra");
            var created = await (await first.Http.PostAsJsonAsync("/api/domains/multi-create-domain/",
                new { parent = template, verbose_name = "kept", count = 1, thin = true })).Content.ReadFromJsonAsync<JsonElement>();
            var task = created.GetProperty("_task").GetProperty("id").GetGuid();
            Assert.True(await Eventually.TrueAsync(async () =>
                (await first.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{task}/")).GetProperty("is_finished").GetBoolean(), TimeSpan.FromSeconds(10)));
            clone = await first.DomainIdAsync("kept-1");
            await first.SetPowerAsync(clone, "on");
            // POST tags/ is asynchronous like the controller's: 202, and the task's first entity is the new tag
            var tagged = await first.Http.PostAsJsonAsync("/api/tags/", new { verbose_name = "pool-kept" });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, tagged.StatusCode);
            var tagTask = (await tagged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("_task").GetProperty("id").GetGuid();
            Assert.True(await Eventually.TrueAsync(async () =>
                (await first.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{tagTask}/")).GetProperty("is_finished").GetBoolean(), TimeSpan.FromSeconds(10)));
            tag = Guid.Parse((await first.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{tagTask}/")).GetProperty("entities").EnumerateObject().First().Name);
        } // stopping saves the state

        await using var second = await SimulatorHost.StartAsync(name: name, stateFile: file);
        Assert.Equal(clone, await second.DomainIdAsync("kept-1"));
        Assert.Equal(3, (await second.GetDomainAsync(clone)).GetProperty("user_power_state").GetInt32());
        Assert.Equal("pool-kept", (await second.Http.GetFromJsonAsync<JsonElement>($"/api/tags/{tag}/")).GetProperty("verbose_name").GetString());
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public async Task Multi_create_with_a_fault_fails_part_way_and_keeps_the_clones_it_made_under_the_given_ids()
    {
        await _sim.SetFaultsAsync(failCloneAfter: 2);
        var template = await _sim.DomainIdAsync("tpl-win10");
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        var answer = await (await _sim.Http.PostAsJsonAsync("/api/domains/multi-create-domain/",
            new { parent = template, verbose_name = "part", count = 5, thin = true, domains_ids = ids })).Content.ReadFromJsonAsync<JsonElement>();
        var taskId = answer.GetProperty("_task").GetProperty("id").GetGuid();

        JsonElement task = default;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            task = await _sim.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/{taskId}/");
            return task.GetProperty("is_finished").GetBoolean();
        }, TimeSpan.FromSeconds(10)));
        Assert.Equal("FAILED", task.GetProperty("status").GetString());
        Assert.Contains("free space", task.GetProperty("error_message").GetString());

        var created = await _sim.Http.GetFromJsonAsync<JsonElement>($"/api/domains/?ids={string.Join(',', ids)}");
        Assert.Equal(ids.Take(2).ToHashSet(), created.GetProperty("results").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToHashSet());
        var subtasks = await _sim.Http.GetFromJsonAsync<JsonElement>($"/api/tasks/?parent={taskId}");
        Assert.Equal(["SUCCESS", "SUCCESS", "FAILED"], subtasks.GetProperty("results").EnumerateArray().Select(t => t.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Event_stream_delivers_power_changes_to_subscribers_and_refuses_a_bad_token()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{_sim.Url.Authority}/ws/?token={_sim.Token}"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("add /domains/"), WebSocketMessageType.Text, true, CancellationToken.None);
        var control = JsonDocument.Parse(await ReceiveAsync(socket)).RootElement;
        Assert.False(control.GetProperty("error").GetBoolean());

        var id = await _sim.DomainIdAsync("office-3");
        await _sim.SetPowerAsync(id, "on");
        var update = JsonDocument.Parse(await ReceiveAsync(socket)).RootElement;
        Assert.Equal("UPDATED", update.GetProperty("event").GetString());
        Assert.Equal("/domains/", update.GetProperty("resource").GetString());
        Assert.Equal(id, update.GetProperty("id").GetGuid());
        Assert.Equal(3, update.GetProperty("object").GetProperty("user_power_state").GetInt32());

        using var refused = new ClientWebSocket();
        await refused.ConnectAsync(new Uri($"ws://{_sim.Url.Authority}/ws/?token=wrong"), CancellationToken.None);
        Assert.Equal("token error", await ReceiveAsync(refused));
    }

    [Fact]
    public async Task Faults_make_the_controller_fail_the_way_a_broken_one_does()
    {
        await _sim.SetFaultsAsync(unauthorized: true);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _sim.Http.GetAsync("/api/controllers/check/")).StatusCode);
        await _sim.SetFaultsAsync(failPaths: ["controllers/check"]);
        Assert.Equal(HttpStatusCode.InternalServerError, (await _sim.Http.GetAsync("/api/controllers/check/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.GetAsync("/api/controllers/base-version/")).StatusCode);
        await _sim.SetFaultsAsync(down: true);
        await Assert.ThrowsAsync<HttpRequestException>(() => _sim.Http.GetAsync("/api/controllers/check/"));
        await _sim.SetFaultsAsync();
        Assert.Equal(HttpStatusCode.OK, (await _sim.Http.GetAsync("/api/controllers/check/")).StatusCode);
    }

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
