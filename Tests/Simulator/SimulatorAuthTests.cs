using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Vdi.Simulator.Hosting;

namespace Vdi.Tests.Simulator;

/// <summary>The simulator authenticates like ECP VeiL: <c>Authorization: jwt &lt;integration key&gt;</c>.</summary>
public sealed class SimulatorAuthTests : IAsyncLifetime
{
    private const string Token = "test-integration-key";
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = SimulatorApplication.Create(["--urls=http://127.0.0.1:0", $"--Simulator:Token={Token}", "--Simulator:Version=4.7.3", "--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("jwt wrong-key")]
    [InlineData("Bearer test-integration-key")]
    public async Task Calls_without_the_integration_key_get_401_in_the_ecp_envelope(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/controllers/check/");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("401", body.RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Base_version_is_reported_to_a_caller_with_the_key()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/controllers/base-version/");
        request.Headers.Authorization = new AuthenticationHeaderValue("jwt", Token);
        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("4.7.3", body.RootElement.GetProperty("version").GetString());
    }
}
