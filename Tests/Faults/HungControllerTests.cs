using System.Diagnostics;
using Vdi.Tests.Fixtures;
using Vdi.Tests.ThinClients;

namespace Vdi.Tests.Faults;

/// <summary>Issue 13 §3: a controller that answers nothing costs a thin client one call deadline, then the original's code.</summary>
[Collection(LiveSystemCollection.Name)]
public sealed class HungControllerTests(LiveSystemFixture system)
{
    [Fact]
    public async Task A_get_vm_that_needs_a_hung_controller_gives_up_with_the_originals_code_within_the_call_deadline()
    {
        await using var scenario = await ThinClientScenario.StartAsync(system.Grains, vms: 1, users: 1);
        await using var client = new VeilConnectClient(system.GatewayUrls[0]);
        await client.LoginAsync(scenario.Users[0].Name, ThinClientScenario.Password);
        var vm = (await client.GetVmAsync(scenario.PoolId)).Body.GetProperty("data").GetProperty("vm_id").GetGuid();
        await scenario.Sim.SetPowerAsync(vm, "off");
        Assert.True(await Eventually.TrueAsync(async () =>
            (await system.Grains.GetGrain<Vdi.Grains.Interfaces.Vms.IVmGrain>(vm).GetAsync())!.PowerState == Vdi.Grains.Interfaces.Vms.PowerState.Off,
            TimeSpan.FromSeconds(10)));

        await scenario.Sim.SetFaultsAsync(latencyMs: 120_000); // the VM must be started, and the controller answers nothing
        var clock = Stopwatch.StartNew();
        var (status, body) = await client.GetVmAsync(scenario.PoolId, requestId: 2);
        clock.Stop();
        await scenario.Sim.SetFaultsAsync();

        // the call deadline here is 8 s (FastSettings); the product's is 20 s. A few calls may be needed (the power
        // action, then reading the VM), each bounded: the client is never held for minutes
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"the client waited {clock.Elapsed.TotalSeconds:0} s");
        Assert.True(body.TryGetProperty("errors", out var errors), $"answered {status} without an error: {body}");
        var code = errors[0].GetProperty("code").GetString();
        Assert.Contains(code, new[] { "004", "005" });
    }
}
