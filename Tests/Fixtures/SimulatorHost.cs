using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Vdi.Simulator.Hosting;

namespace Vdi.Tests.Fixtures;

/// <summary>An in-process simulated controller on an ephemeral port, with fast operations and fault controls.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, string token, bool https = false)
    {
        _app = app;
        Token = token;
        Url = new Uri(app.Urls.First());
        // the tests' own client trusts whatever certificate an HTTPS simulator has: the broker's trust is what is tested
        Http = https
            ? new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })
                { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) }
            : new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"jwt {token}");
    }

    public string Token { get; }

    public Uri Url { get; }

    /// <summary>The address an administrator would type for this controller.</summary>
    public string Address => Url.GetLeftPart(UriPartial.Authority);

    /// <summary>An HTTP client that already carries the integration key.</summary>
    public HttpClient Http { get; }

    /// <summary>
    /// Ports this test run has given to simulators. Controllers are unique by address and tests do not remove theirs,
    /// so a port the OS hands out a second time is not used for a second controller.
    /// </summary>
    private static readonly HashSet<int> UsedPorts = [];

    /// <param name="stateFile">Where the simulator keeps its domains and tags across restarts (none: in memory).</param>
    /// <param name="tls">A PKCS#12 file and its password: the simulator serves HTTPS (and WSS) with that certificate, as ECP does.</param>
    public static async Task<SimulatorHost> StartAsync(string? version = null, string? name = null, string? stateFile = null, (string Path, string Password)? tls = null)
    {
        while (true)
        {
            var sim = await StartOnceAsync(version, name, stateFile, tls);
            lock (UsedPorts)
            {
                if (UsedPorts.Add(sim.Url.Port))
                {
                    return sim;
                }
            }

            await sim.DisposeAsync();
        }
    }

    private static async Task<SimulatorHost> StartOnceAsync(string? version, string? name, string? stateFile, (string Path, string Password)? tls)
    {
        var token = $"sim-{Guid.NewGuid():N}";
        string[] listen = tls is { } t
            ? ["--urls=https://127.0.0.1:0", $"--Kestrel:Certificates:Default:Path={t.Path}", $"--Kestrel:Certificates:Default:Password={t.Password}"]
            : ["--urls=http://127.0.0.1:0"];
        var app = SimulatorApplication.Create(
        [
            .. listen,
            $"--Simulator:Token={token}",
            $"--Simulator:Name={name ?? Guid.NewGuid().ToString("N")}",
            $"--Simulator:Version={version ?? "4.7.3"}",
            "--Simulator:TaskMilliseconds=100",
            "--Simulator:ClonePerVmMilliseconds=20",
            "--Simulator:GuestAgentMilliseconds=200",
            "--Logging:LogLevel:Default=Warning",
            $"--Simulator:StateFile={stateFile}",
        ]);
        await app.StartAsync();
        return new SimulatorHost(app, token, tls is not null);
    }

    public Task SetFaultsAsync(bool down = false, bool unauthorized = false, int latencyMs = 0, string[]? failPaths = null, int? failCloneAfter = null) =>
        Http.PutAsJsonAsync("/sim/faults", new { down, unauthorized, latency_ms = latencyMs, fail_paths = failPaths ?? [], fail_clone_after = failCloneAfter })
            .ContinueWith(t => t.Result.EnsureSuccessStatusCode());

    /// <summary>Changes a VM's power state "from inside", as a user shutting the guest down would.</summary>
    public async Task SetPowerAsync(Guid vmId, string state) =>
        (await Http.PostAsync($"/sim/domains/{vmId}/power/{state}", null)).EnsureSuccessStatusCode();

    public async Task<JsonElement> GetDomainAsync(Guid id) =>
        await Http.GetFromJsonAsync<JsonElement>($"/sim/domains/{id}");

    /// <summary>The id of a seeded domain by name (see Simulator/inventory.json).</summary>
    public async Task<Guid> DomainIdAsync(string name)
    {
        var page = await Http.GetFromJsonAsync<JsonElement>("/api/domains/?fields=id,verbose_name&limit=1000");
        return page.GetProperty("results").EnumerateArray()
            .Where(d => d.GetProperty("verbose_name").GetString() == name)
            .Select(d => d.GetProperty("id").GetGuid())
            .Single();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
