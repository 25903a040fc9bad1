using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Vms;

namespace Vdi.Tests.Pools;

/// <summary>What the RDS host's script prints, parsed once and bounded; anything else is a refusal that says why.</summary>
public sealed class PublishedAppsTests
{
    [Fact]
    public void The_command_is_the_originals()
    {
        Assert.Equal("wscript.exe", PublishedApps.Path);
        Assert.Equal([@"C:\Program Files\Qemu-ga\vbs.vbs", @"C:\Program Files\Qemu-ga\get_published_apps.ps1", "ivanov", "//B", "//NoLogo"],
            PublishedApps.Arguments("ivanov"));
    }

    [Fact]
    public void Farms_and_their_applications_are_read()
    {
        var farms = PublishedApps.Parse(new GuestExecOutput("""
            {"farmlist":[{"farm_alias":"Office","app_array":[{"app_name":"Word","app_alias":"word","icon":"AAA="},{"app_name":"Excel","app_alias":"excel"}]},
                         {"farm_alias":"Empty"}]}
            """, "\r\n"));
        Assert.Equal(["Office", "Empty"], farms.Select(f => f.FarmAlias));
        Assert.Equal([("Word", "word", "AAA="), ("Excel", "excel", "")], farms[0].Apps.Select(a => (a.AppName, a.AppAlias, a.Icon)));
        Assert.Empty(farms[1].Apps);
    }

    [Theory]
    [InlineData("", "Get-RDRemoteApp : not recognized\r\n", "Get-RDRemoteApp : not recognized")]
    [InlineData("not json", "", "Cant decode json")]
    [InlineData("[1,2]", "", "no farmlist")]
    [InlineData("{\"farmlist\":{}}", "", "no farmlist")]
    public void Anything_else_is_refused_with_the_reason(string output, string error, string reason)
    {
        var refused = Assert.Throws<BrokerException>(() => PublishedApps.Parse(new GuestExecOutput(output, error)));
        Assert.Equal(ErrorKind.VmUnreachable, refused.Kind);
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public void Sizes_are_bounded()
    {
        var many = "{\"farmlist\":[" + string.Join(",", Enumerable.Repeat("{\"farm_alias\":\"f\"}", PublishedApps.MaxFarms + 1)) + "]}";
        Assert.Contains("farms", Assert.Throws<BrokerException>(() => PublishedApps.Parse(new GuestExecOutput(many, ""))).Message);
        var longName = "{\"farmlist\":[{\"farm_alias\":\"" + new string('a', PublishedApps.MaxNameLength + 1) + "\"}]}";
        Assert.Contains("farm_alias", Assert.Throws<BrokerException>(() => PublishedApps.Parse(new GuestExecOutput(longName, ""))).Message);
        var apps = "{\"farmlist\":[{\"farm_alias\":\"f\",\"app_array\":[" + string.Join(",", Enumerable.Repeat("{\"app_name\":\"a\"}", PublishedApps.MaxApps + 1)) + "]}]}";
        Assert.Contains("applications", Assert.Throws<BrokerException>(() => PublishedApps.Parse(new GuestExecOutput(apps, ""))).Message);
    }
}
