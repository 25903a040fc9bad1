using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Controllers;

/// <summary>The controller client against a simulated controller: answers, failures and their kinds.</summary>
public sealed class EcpClientTests : IAsyncLifetime
{
    private EcpFixture _ecp = null!;

    private SimulatorHost Sim => _ecp.Sim;

    public async Task InitializeAsync() => _ecp = await EcpFixture.StartAsync();

    public async Task DisposeAsync() => await _ecp.DisposeAsync();

    private EcpClient Client(string? token = null) => _ecp.Client(token);

    [Fact]
    public async Task Reads_the_version_and_checks_liveness()
    {
        Assert.Equal("4.7.3", await Client().GetVersionAsync());
        await Client().CheckAsync();
    }

    [Fact]
    public async Task A_wrong_token_is_unauthorized()
    {
        var e = await Assert.ThrowsAsync<EcpException>(() => Client("wrong-token").CheckAsync());
        Assert.Equal(EcpErrorKind.Unauthorized, e.Kind);
        Assert.DoesNotContain("wrong-token", e.Message);
    }

    [Fact]
    public async Task A_controller_that_is_down_is_unreachable_and_a_server_error_is_a_server_error()
    {
        await Sim.SetFaultsAsync(down: true);
        var down = await Assert.ThrowsAsync<EcpException>(() => Client().CheckAsync());
        Assert.Equal(EcpErrorKind.Unreachable, down.Kind);
        Assert.True(down.MeansControllerDown);

        await Sim.SetFaultsAsync(failPaths: ["controllers/check"]);
        var failing = await Assert.ThrowsAsync<EcpException>(() => Client().CheckAsync());
        Assert.Equal(EcpErrorKind.ServerError, failing.Kind);
        Assert.Equal(500, failing.Status);
    }

    [Fact]
    public async Task Long_id_lists_are_split_into_several_requests()
    {
        var real = new[] { await Sim.DomainIdAsync("office-1"), await Sim.DomainIdAsync("dev-2") };
        var ids = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).Concat(real).ToList();
        Assert.True(EcpClient.Chunk(ids, 3780).Count() > 2);
        Assert.All(EcpClient.Chunk(ids, 3780), c => Assert.True(string.Join(',', c).Length <= 3780));

        var found = await Client().GetDomainsAsync(ids, "id,user_power_state");
        Assert.Equal(real.ToHashSet(), found.Select(d => d.Id).ToHashSet());
    }

    [Fact]
    public async Task Power_actions_start_a_task_that_can_be_waited_for()
    {
        var id = await Sim.DomainIdAsync("office-2");
        var client = Client();
        var task = await client.PowerAsync(id, PowerAction.Start, force: false);
        var done = await client.WaitForTaskAsync(task, TimeSpan.FromSeconds(10));
        Assert.True(done.Succeeded);
        Assert.Equal(PowerState.On, (await client.GetDomainAsync(id)).PowerState);

        var bulk = await client.MultiManagerAsync(PowerAction.Shutdown, [id], force: true);
        Assert.True((await client.WaitForTaskAsync(bulk, TimeSpan.FromSeconds(10))).Succeeded);
        Assert.Equal(PowerState.Off, (await client.GetDomainAsync(id)).PowerState);
    }

    [Theory]
    [InlineData("10.0.0.5", "https://10.0.0.5/api/")]
    [InlineData("veil.example.org:8443", "https://veil.example.org:8443/api/")]
    [InlineData("http://127.0.0.1:8100", "http://127.0.0.1:8100/api/")]
    [InlineData(" https://veil.example.org/ ", "https://veil.example.org/api/")]
    public void Addresses_are_normalised(string typed, string api)
    {
        Assert.True(ControllerAddress.TryParse(typed, out var address, out _));
        Assert.Equal(api, address.Api.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ftp://host")]
    [InlineData("http://host/path")]
    [InlineData("http://user:pw@host")]
    public void Bad_addresses_are_refused_with_a_reason(string typed)
    {
        Assert.False(ControllerAddress.TryParse(typed, out _, out var error));
        Assert.StartsWith("address", error);
    }
}
