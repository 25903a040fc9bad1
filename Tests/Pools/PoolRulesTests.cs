using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Pools;

namespace Vdi.Tests.Pools;

/// <summary>The original's defaults and every validation rule of §3.3, without a cluster.</summary>
public sealed class PoolRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private static PoolSettings Automated(Func<PoolSettings, PoolSettings>? change = null)
    {
        var s = new PoolSettings
        {
            VerboseName = "Office-Пул-1",
            ControllerId = Guid.NewGuid(),
            ResourcePoolId = Guid.NewGuid(),
            DataPoolId = Guid.NewGuid(),
            TemplateId = Guid.NewGuid(),
            VmNameTemplate = "office",
        };
        return change is null ? s : change(s);
    }

    private static BrokerException Refused(PoolType type, PoolSettings s) =>
        Assert.Throws<BrokerException>(() => PoolRules.Create(type, s, "admin", Now));

    [Fact]
    public void Automated_defaults_are_the_originals()
    {
        var p = PoolRules.Create(PoolType.Automated, Automated(), "admin", Now);
        Assert.Equal((1, 1, 2, 1), (p.InitialSize, p.ReserveSize, p.TotalSize, p.IncreaseStep));
        Assert.True(p.CreateThinClones && p.EnableVmsRemoteAccess && p.StartVms);
        Assert.False(p.SetVmsHostnames || p.IncludeVmsInAd || p.KeepVmsOn || p.FreeVmFromUser);
        Assert.Equal([ConnectionType.Spice], p.ConnectionTypes);
        Assert.Equal(60, p.VmDisconnectActionTimeout);
        Assert.Equal(VmDisconnectAction.None, p.VmActionUponUserDisconnect);
        Assert.Equal(PoolStatus.Creating, p.Status);
    }

    [Fact]
    public void Guest_pools_recreate_always_use_thin_clones_and_only_start_and_open_remote_access()
    {
        var p = PoolRules.Create(PoolType.Guest, Automated(s => s with { CreateThinClones = false, SetVmsHostnames = true }), "admin", Now);
        Assert.Equal(VmDisconnectAction.Recreate, p.VmActionUponUserDisconnect);
        Assert.True(p.CreateThinClones && p.StartVms && p.EnableVmsRemoteAccess);
        Assert.False(p.SetVmsHostnames);
        Assert.Equal("vm_action_upon_user_disconnect",
            Refused(PoolType.Guest, Automated(s => s with { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown })).Field);
    }

    [Theory]
    [InlineData(PoolType.Automated)]
    [InlineData(PoolType.Static)]
    public void Recreate_is_only_for_guest_pools(PoolType type)
    {
        var s = Automated(x => x with { VmActionUponUserDisconnect = VmDisconnectAction.Recreate, VmIds = [Guid.NewGuid()] });
        Assert.Equal("vm_action_upon_user_disconnect", Refused(type, s).Field);
    }

    [Fact]
    public void Rds_pools_offer_rdp_only_do_nothing_after_a_disconnect_and_need_hosts()
    {
        var hosts = new PoolSettings { VerboseName = "apps", ControllerId = Guid.NewGuid(), ResourcePoolId = Guid.NewGuid(), VmIds = [Guid.NewGuid(), Guid.NewGuid()] };
        var pool = PoolRules.Create(PoolType.Rds, hosts, "admin", Now);
        Assert.Equal([ConnectionType.Rdp], pool.ConnectionTypes);
        Assert.Equal((VmDisconnectAction.None, 0, 2, PoolStatus.Creating), (pool.VmActionUponUserDisconnect, pool.VmDisconnectActionTimeout, pool.TotalSize, pool.Status));
        Assert.False(pool.IsAutomated);
        Assert.Equal([ConnectionType.Rdp, ConnectionType.NativeRdp],
            PoolRules.Create(PoolType.Rds, hosts with { ConnectionTypes = [ConnectionType.Rdp, ConnectionType.NativeRdp] }, "admin", Now).ConnectionTypes);

        Assert.Equal("connection_types", Refused(PoolType.Rds, hosts with { ConnectionTypes = [ConnectionType.Rdp, ConnectionType.Spice] }).Field);
        Assert.Equal("vm_action_upon_user_disconnect", Refused(PoolType.Rds, hosts with { VmActionUponUserDisconnect = VmDisconnectAction.Shutdown }).Field);
        Assert.Equal("free_vm_from_user", Refused(PoolType.Rds, hosts with { FreeVmFromUser = true }).Field);
        Assert.Equal("vms", Refused(PoolType.Rds, hosts with { VmIds = [] }).Field);
        var update = Assert.Throws<BrokerException>(() => PoolRules.Update(pool, new PoolSettings { ConnectionTypes = [ConnectionType.Loudplay] }, vmCount: 2));
        Assert.Equal("connection_types", update.Field);
    }

    [Theory]
    [InlineData("", "verbose_name")]
    [InlineData("has space", "verbose_name")]
    [InlineData("under_score", "verbose_name")]
    public void Pool_names_follow_the_originals_pattern(string name, string field) =>
        Assert.Equal(field, Refused(PoolType.Automated, Automated(s => s with { VerboseName = name })).Field);

    [Theory]
    [InlineData("1abc")]
    [InlineData("ab")]
    [InlineData("with space")]
    [InlineData("имя")]
    public void Vm_name_templates_must_be_hostnames(string template) =>
        Assert.Equal("vm_name_template", Refused(PoolType.Automated, Automated(s => s with { VmNameTemplate = template })).Field);

    [Theory]
    [InlineData(0, 1, 2, 1, "initial_size")]
    [InlineData(10_001, 1, 10_001, 1, "initial_size")]
    [InlineData(1, 0, 2, 1, "reserve_size")]
    [InlineData(1, 3, 2, 1, "reserve_size")]
    [InlineData(3, 1, 2, 1, "total_size")]
    [InlineData(1, 1, 10_001, 1, "total_size")]
    [InlineData(1, 1, 2, 0, "increase_step")]
    [InlineData(1, 1, 2, 3, "increase_step")]
    [InlineData(1, 1, 500, 101, "increase_step")]
    public void Sizes_are_checked_against_each_other(int initial, int reserve, int total, int step, string field) =>
        Assert.Equal(field, Refused(PoolType.Automated, Automated(s => s with { InitialSize = initial, ReserveSize = reserve, TotalSize = total, IncreaseStep = step })).Field);

    [Fact]
    public void Required_fields_are_named()
    {
        Assert.Equal("controller_id", Refused(PoolType.Automated, Automated(s => s with { ControllerId = null })).Field);
        Assert.Equal("resource_pool_id", Refused(PoolType.Automated, Automated(s => s with { ResourcePoolId = null })).Field);
        Assert.Equal("datapool_id", Refused(PoolType.Automated, Automated(s => s with { DataPoolId = null })).Field);
        Assert.Equal("template_id", Refused(PoolType.Automated, Automated(s => s with { TemplateId = null })).Field);
        Assert.Equal("vm_name_template", Refused(PoolType.Automated, Automated(s => s with { VmNameTemplate = null })).Field);
        Assert.Equal("vms", Refused(PoolType.Static, Automated(s => s with { VmIds = [] })).Field);
        Assert.Equal("connection_types", Refused(PoolType.Automated, Automated(s => s with { ConnectionTypes = [] })).Field);
        Assert.Equal("vm_disconnect_action_timeout", Refused(PoolType.Automated, Automated(s => s with { VmDisconnectActionTimeout = -1 })).Field);
        Assert.Equal("vm_disconnect_action_timeout", Refused(PoolType.Automated, Automated(s => s with { VmDisconnectActionTimeout = 5_000_000 })).Field);
        Assert.Equal(PoolRules.MaxDisconnectActionTimeout,
            PoolRules.Create(PoolType.Automated, Automated(s => s with { VmDisconnectActionTimeout = PoolRules.MaxDisconnectActionTimeout }), "admin", Now).VmDisconnectActionTimeout);
    }

    [Fact]
    public void Total_size_cannot_drop_below_the_vms_the_pool_has()
    {
        var p = PoolRules.Create(PoolType.Automated, Automated(s => s with { InitialSize = 2, TotalSize = 10, ReserveSize = 1, IncreaseStep = 2 }), "admin", Now);
        var e = Assert.Throws<BrokerException>(() => PoolRules.Update(p, new PoolSettings { TotalSize = 4 }, vmCount: 5));
        Assert.Equal("total_size", e.Field);
        Assert.Equal(5, PoolRules.Update(p, new PoolSettings { TotalSize = 5 }, vmCount: 5).TotalSize);
        Assert.Equal(10, p.TotalSize); // the input is not changed
    }

    [Fact]
    public void Wire_names_are_the_originals()
    {
        Assert.Equal("SPICE_DIRECT", ConnectionType.SpiceDirect.ToWire());
        Assert.Equal("SHUTDOWN_FORCED", VmDisconnectAction.ShutdownForced.ToWire());
        Assert.True(WireNames.TryParseWire<ConnectionType>("NATIVE_RDP", out var rdp) && rdp == ConnectionType.NativeRdp);
        Assert.False(WireNames.TryParseWire<ConnectionType>("X2GO", out _));
        Assert.False(WireNames.TryParseWire<ConnectionType>("1", out _)); // Enum.TryParse alone would take a number
        Assert.False(WireNames.TryParseWire<ConnectionType>("", out _));
    }
}
