using Vdi.Grains.Pools;
using Vdi.Grains.Controllers;
using Vdi.Grains.Vms;
using Orleans.Streams;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Controllers;

[Collection(ControllerCollection.Name)]
public sealed class ControllerGrainTests(TwoSiloClusterFixture fixture)
{
    private static readonly TimeSpan StatusDeadline = TimeSpan.FromSeconds(20);

    private IControllerGrain NewController() => fixture.Client.GetGrain<IControllerGrain>(Guid.NewGuid());

    private static ControllerRegistration Registration(SimulatorHost sim, string? token = null, string? name = null) =>
        new(name ?? $"ctl-{Guid.NewGuid():N}"[..16], sim.Address, token ?? sim.Token, "test controller", "tester");

    [Fact]
    public async Task Added_with_a_good_token_it_is_active_and_its_token_is_stored_encrypted()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var view = await grain.AddAsync(Registration(sim, token: $"jwt {sim.Token}"));

        Assert.Equal(ControllerStatus.Active, view.Status);
        Assert.Equal("4.7.3", view.Version);
        Assert.Equal(sim.Address, view.Address);
        Assert.DoesNotContain(sim.Token, view.ToString());
        Assert.Equal("ACTIVE", await TestDb.ScalarAsync<string>("select status from vdi_controllers where id = @id", ("id", view.Id)));
        var stored = await TestDb.ScalarAsync<string>(
            "select convert_from(payloadbinary, 'UTF8') from orleansstorage where serviceid = @svc and graintypestring = 'controller' and convert_from(payloadbinary, 'UTF8') like '%' || @name || '%'",
            ("svc", fixture.ServiceId), ("name", view.VerboseName));
        Assert.NotNull(stored);
        Assert.DoesNotContain(sim.Token, stored);
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_journal where entity_id = @id and message like 'Controller % added.'", ("id", view.Id)));
        Assert.True(await TestDb.ScalarAsync<long>("select count(*) from vdi_data_protection_keys") >= 1);
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_data_protection_keys where xml not like '%encryptedSecret%'"));
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_controller_that_answers_nothing_never_holds_its_grain_and_is_failed_within_its_call_deadline()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var view = await grain.AddAsync(Registration(sim));
        await sim.SetFaultsAsync(latencyMs: 60_000); // hung: every call answers after a minute
        var hung = DateTime.UtcNow;

        // health probes (every second here) wait for the hung controller without holding its grain: reads answer at once
        var slowest = TimeSpan.Zero;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var asked = DateTime.UtcNow;
            var current = await grain.GetAsync();
            var took = DateTime.UtcNow - asked;
            slowest = took > slowest ? took : slowest;
            return current!.Status == ControllerStatus.Failed;
        }, StatusDeadline), "the hung controller was not marked FAILED");
        Assert.True(DateTime.UtcNow - hung < TimeSpan.FromSeconds(15), $"FAILED after {(DateTime.UtcNow - hung).TotalSeconds:0} s: beyond the call deadline (8 s here)");
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a read of the controller waited {slowest.TotalSeconds:0.0} s behind a health probe");
        Assert.Contains("timed out", (await grain.GetAsync())!.StatusReason ?? "");

        await sim.SetFaultsAsync();
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetAsync())!.Status == ControllerStatus.Active, StatusDeadline),
            $"controller {view.VerboseName} did not come back");
    }

    [Fact]
    public async Task Added_with_a_bad_token_it_is_refused_as_bad_auth_and_nothing_is_stored()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var registration = Registration(sim, token: "not-the-key");
        var e = await Assert.ThrowsAsync<BrokerException>(() => grain.AddAsync(registration));

        Assert.Equal(ErrorKind.TokenRejected, e.Kind);
        Assert.StartsWith("token:", e.Message);
        Assert.Null(await grain.GetAsync());
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_controllers where verbose_name = @n", ("n", registration.VerboseName)));
    }

    [Fact]
    public async Task An_unreachable_address_and_an_old_version_are_refused_with_their_reasons()
    {
        var port = FreePort.Next();
        var unreachable = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(
            new ControllerRegistration("nowhere", $"http://127.0.0.1:{port}", "some-token", "", "tester")));
        Assert.Equal(ErrorKind.ControllerUnreachable, unreachable.Kind);
        Assert.Contains($"127.0.0.1:{port}", unreachable.Message);

        await using var old = await SimulatorHost.StartAsync(version: "4.2.9");
        var tooOld = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(Registration(old)));
        Assert.Equal(ErrorKind.UnsupportedVersion, tooOld.Kind);
        Assert.Contains("4.2.9", tooOld.Message);
    }

    [Theory]
    [InlineData("", "http://127.0.0.1:1", "token", "verbose_name")]
    [InlineData("name", "ftp://x", "token", "address")]
    [InlineData("name", "http://127.0.0.1:1", "", "token")]
    [InlineData("name", "http://127.0.0.1:1", "two words", "token")]
    public async Task Invalid_fields_are_named(string name, string address, string token, string field)
    {
        var e = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(new ControllerRegistration(name, address, token, "", "tester")));
        Assert.Equal(ErrorKind.Invalid, e.Kind);
        Assert.StartsWith(field, e.Message);
    }

    [Fact]
    public async Task A_second_controller_with_the_same_name_is_a_conflict()
    {
        await using var a = await SimulatorHost.StartAsync();
        await using var b = await SimulatorHost.StartAsync();
        var first = Registration(a);
        await NewController().AddAsync(first);
        var e = await Assert.ThrowsAsync<BrokerException>(() => NewController().AddAsync(Registration(b, name: first.VerboseName.ToUpperInvariant())));
        Assert.Equal(ErrorKind.Conflict, e.Kind);
        Assert.StartsWith("verbose_name", e.Message);
    }

    [Fact]
    public async Task A_controller_that_goes_down_fails_with_its_vms_and_comes_back_by_itself()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var controller = await grain.AddAsync(Registration(sim));
        var vmId = await sim.DomainIdAsync("office-1");
        var vm = fixture.Client.GetGrain<IVmGrain>(vmId);
        await fixture.Client.GetGrain<IVmInternalGrain>(vmId).AttachAsync(new VmAttachment(controller.Id, null, "office-1", PowerState.On, CreatedByBroker: false));

        await sim.SetFaultsAsync(down: true);
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetAsync())!.Status == ControllerStatus.Failed, StatusDeadline));
        Assert.True(await Eventually.TrueAsync(async () => (await vm.GetAsync())!.Status == VmStatus.Failed, TimeSpan.FromSeconds(5)));
        Assert.Equal("FAILED", await TestDb.ScalarAsync<string>("select status from vdi_vms where id = @id", ("id", vmId)));

        await sim.SetFaultsAsync();
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetAsync())!.Status == ControllerStatus.Active, StatusDeadline));
        Assert.True(await Eventually.TrueAsync(async () => (await vm.GetAsync())!.Status == VmStatus.Active, TimeSpan.FromSeconds(5)));
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(10)));
        Assert.True(await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @id and event_type = 1 and message like '%is FAILED.'", ("id", controller.Id)) >= 1);
    }

    [Fact]
    public async Task A_rejected_token_is_bad_auth_until_an_administrator_activates_it()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        await grain.AddAsync(Registration(sim));

        await sim.SetFaultsAsync(unauthorized: true);
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetAsync())!.Status == ControllerStatus.BadAuth, StatusDeadline));
        await sim.SetFaultsAsync();
        await Task.Delay(TimeSpan.FromSeconds(3)); // several health-check periods: BAD_AUTH must not heal by itself
        Assert.Equal(ControllerStatus.BadAuth, (await grain.GetAsync())!.Status);

        var activated = await grain.ActivateAsync("admin");
        Assert.Equal(ControllerStatus.Active, activated.Status);
    }

    [Fact]
    public async Task A_power_change_on_the_controller_reaches_the_vm_grain_and_the_live_stream_within_two_seconds()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var controller = await grain.AddAsync(Registration(sim));
        var vmId = await sim.DomainIdAsync("office-2");
        var vm = fixture.Client.GetGrain<IVmGrain>(vmId);
        await fixture.Client.GetGrain<IVmInternalGrain>(vmId).AttachAsync(new VmAttachment(controller.Id, null, "office-2", PowerState.Off, CreatedByBroker: false));
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(10)));

        var seen = new TaskCompletionSource<LiveEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = fixture.Client.GetStreamProvider(LiveStreams.Provider).GetStream<LiveEvent>(StreamId.Create(LiveStreams.Namespace, LiveStreams.Domains));
        var subscription = await stream.SubscribeAsync((e, _) =>
        {
            if (e.Id == vmId && e.Json.Contains("\"user_power_state\":3"))
            {
                seen.TrySetResult(e);
            }

            return Task.CompletedTask;
        });
        try
        {
            var started = DateTime.UtcNow;
            await sim.SetPowerAsync(vmId, "on");
            Assert.True(await Eventually.TrueAsync(async () => (await vm.GetAsync())!.PowerState == PowerState.On, TimeSpan.FromSeconds(2)),
                "the power change did not reach the VM grain within 2 s");
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2.5));
            var live = await seen.Task.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("UPDATED", live.Event);
        }
        finally
        {
            await subscription.UnsubscribeAsync();
        }
    }

    [Fact]
    public async Task One_busy_vm_never_holds_up_the_other_vms_events()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var controller = await grain.AddAsync(Registration(sim));
        var busyId = await sim.DomainIdAsync("office-2");
        var otherId = await sim.DomainIdAsync("office-3");
        foreach (var (id, name) in new[] { (busyId, "office-2"), (otherId, "office-3") })
        {
            await fixture.Client.GetGrain<IVmInternalGrain>(id).AttachAsync(new VmAttachment(controller.Id, null, name, PowerState.Off, CreatedByBroker: false));
        }

        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetListenerStateAsync()).Connected, TimeSpan.FromSeconds(10)));
        await sim.SetFaultsAsync(latencyMs: 30_000); // the controller's API answers after 30 s (its event stream still flows)
        var busy = fixture.Client.GetGrain<IVmGrain>(busyId).PowerAsync(PowerAction.Start, force: false); // holds office-2's grain
        try
        {
            await sim.SetPowerAsync(busyId, "on"); // an event for the busy VM: it waits for its grain
            var started = DateTime.UtcNow;
            await sim.SetPowerAsync(otherId, "on"); // the next event, for another VM
            Assert.True(await Eventually.TrueAsync(async () => (await fixture.Client.GetGrain<IVmGrain>(otherId).GetAsync())!.PowerState == PowerState.On,
                TimeSpan.FromSeconds(3)), "the other VM's event waited behind the busy VM's");
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
            Assert.False(busy.IsCompleted, "the busy VM's call ended before the other VM's event: nothing was proven");
        }
        finally
        {
            await sim.SetFaultsAsync();
            try
            {
                await busy; // it runs into the call deadline (or gets through once the latency is gone)
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
            }
        }

        // the busy VM's own event was not lost: applied once its grain was free
        Assert.True(await Eventually.TrueAsync(async () => (await fixture.Client.GetGrain<IVmGrain>(busyId).GetAsync())!.PowerState == PowerState.On,
            TimeSpan.FromSeconds(20)), "the busy VM's event was lost");
    }

    [Fact]
    public async Task A_new_address_needs_the_integration_key_again_so_the_stored_one_never_goes_elsewhere()
    {
        await using var sim = await SimulatorHost.StartAsync();
        await using var elsewhere = await SimulatorHost.StartAsync(); // another server: it must not learn the first one's key
        var grain = NewController();
        await grain.AddAsync(Registration(sim));

        var e = await Assert.ThrowsAsync<BrokerException>(() => grain.UpdateAsync(new ControllerChanges("admin", Address: elsewhere.Address)));
        Assert.Equal("token", e.Field);
        Assert.Equal(sim.Address, (await grain.GetAsync())!.Address);

        var moved = await grain.UpdateAsync(new ControllerChanges("admin", Address: elsewhere.Address, Token: elsewhere.Token));
        Assert.Equal(elsewhere.Address, moved.Address);
        Assert.Equal(ControllerStatus.Active, moved.Status);
    }

    [Fact]
    public async Task Resources_are_browsed_through_the_controller()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        await grain.AddAsync(Registration(sim));

        var nodes = await grain.ListResourcesAsync(ResourceKind.Nodes);
        Assert.Equal(["node-1", "node-2"], nodes.Select(n => n.VerboseName).Order());
        Assert.All(nodes, n => Assert.Equal("127.0.0.1", n.Details["management_ip"]));
        var templates = await grain.ListResourcesAsync(ResourceKind.Templates);
        Assert.Equal(["tpl-astra", "tpl-win10"], templates.Select(t => t.VerboseName).Order());
        Assert.Equal(7, (await grain.ListResourcesAsync(ResourceKind.Vms)).Count);
        Assert.Equal(3, (await grain.ListResourcesAsync(ResourceKind.ResourcePools)).Count);
    }

    [Fact]
    public async Task Update_checks_a_new_token_first_and_keeps_the_old_one_when_it_is_wrong()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        await grain.AddAsync(Registration(sim));

        var e = await Assert.ThrowsAsync<BrokerException>(() => grain.UpdateAsync(new ControllerChanges("admin", Token: "wrong-token")));
        Assert.Equal(ErrorKind.TokenRejected, e.Kind);
        Assert.Equal(ControllerStatus.Active, (await grain.TestAsync("admin")).Status);

        var renamed = await grain.UpdateAsync(new ControllerChanges("admin", VerboseName: "renamed-" + Guid.NewGuid().ToString("N")[..6], Description: "new"));
        Assert.Equal("new", renamed.Description);
        Assert.Equal(renamed.VerboseName, await TestDb.ScalarAsync<string>("select verbose_name from vdi_controllers where id = @id", ("id", renamed.Id)));
    }

    [Fact]
    public async Task Service_mode_and_removal()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        var view = await grain.AddAsync(Registration(sim));

        Assert.Equal(ControllerStatus.Service, (await grain.EnterServiceAsync("admin")).Status);
        Assert.False((await grain.GetListenerStateAsync()).Running);
        Assert.Equal(ControllerStatus.Active, (await grain.ActivateAsync("admin")).Status);

        await grain.RemoveAsync("admin");
        Assert.Null(await grain.GetAsync());
        Assert.Equal(0L, await TestDb.ScalarAsync<long>("select count(*) from vdi_controllers where id = @id", ("id", view.Id)));
        var e = await Assert.ThrowsAsync<BrokerException>(() => grain.TestAsync("admin"));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task The_token_never_appears_in_the_silo_logs()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var grain = NewController();
        await grain.AddAsync(Registration(sim));
        await sim.SetFaultsAsync(down: true);
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetAsync())!.Status == ControllerStatus.Failed, StatusDeadline));
        await sim.SetFaultsAsync();
        Assert.True(await Eventually.TrueAsync(async () => (await grain.GetAsync())!.Status == ControllerStatus.Active, StatusDeadline));
        await Assert.ThrowsAsync<BrokerException>(() => grain.UpdateAsync(new ControllerChanges("admin", Token: sim.Token + "x")));

        Assert.NotEmpty(fixture.Logs.Lines);
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(sim.Token, StringComparison.Ordinal));
    }
}
