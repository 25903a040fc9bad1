using System.Text.Json;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Tests.Controllers;

/// <summary>The controller's domain JSON, parsed once into a typed record: full answers, partial ones, events.</summary>
public sealed class EcpDomainTests
{
    private static EcpDomain Parse(string json) => EcpDomain.Parse(JsonDocument.Parse(json).RootElement);

    [Fact]
    public void A_full_domain_gives_every_field_the_broker_uses()
    {
        var id = Guid.NewGuid();
        var node = Guid.NewGuid();
        var parent = Guid.NewGuid();
        var d = Parse($$$"""
            {"id":"{{{id}}}","verbose_name":"office-1","status":"ACTIVE","user_power_state":3,"template":false,"os_type":"Windows",
             "node":{"id":"{{{node}}}","verbose_name":"n1"},"parent":{"id":"{{{parent}}}"},"remote_access":true,"remote_access_port":5901,
             "real_remote_access_port":5902,"graphics_password":"pw","guest_utils":{"hostname":"office-1","ipv4":["10.0.0.7","10.0.0.8"]}}
            """);
        Assert.Equal((id, "office-1", PowerState.On, "ACTIVE", true), (d.Id, d.VerboseName, d.PowerState, d.Status, d.IsActive));
        Assert.Equal((true, 5901, 5902, "pw"), (d.RemoteAccess, d.RemoteAccessPort, d.RealRemoteAccessPort, d.GraphicsPassword));
        Assert.Equal((node, parent, "Windows", false), (d.NodeId, d.ParentId, d.OsType, d.IsTemplate));
        Assert.Equal(("10.0.0.7", "office-1"), (d.GuestAddress, d.GuestHostname));
        Assert.Contains("\"graphics_password\":\"pw\"", d.Json);
    }

    [Fact]
    public void A_partial_answer_takes_defaults_and_an_unknown_power_state_is_undefined()
    {
        var d = Parse("""{"id":"not-a-guid","user_power_state":9,"remote_access_port":null,"guest_utils":{"ipv4":[]}}""");
        Assert.Equal(Guid.Empty, d.Id);
        Assert.Equal(PowerState.Undefined, d.PowerState);
        Assert.Equal((false, 0, null), (d.RemoteAccess, d.RemoteAccessPort, d.GuestAddress));
        Assert.True(d.IsActive);
        Assert.False(Parse("""{"status":"FAILED"}""").IsActive);
    }

    [Fact]
    public void An_event_names_its_domain_and_says_what_changed()
    {
        var id = Guid.NewGuid();
        var e = EcpDomainEvent.Parse(JsonDocument.Parse($$$"""{"id":"{{{id}}}","event":"UPDATED","object":{"user_power_state":1}}""").RootElement);
        Assert.Equal(new EcpDomainEvent(id, "UPDATED", null, PowerState.Off), e);
        var renamed = EcpDomainEvent.Parse(JsonDocument.Parse($$$"""{"id":"{{{id}}}","event":"UPDATED","object":{"verbose_name":"x"}}""").RootElement);
        Assert.Equal(("x", null), (renamed!.VerboseName, renamed.PowerState));
        Assert.Null(EcpDomainEvent.Parse(JsonDocument.Parse("""{"event":"UPDATED"}""").RootElement));
    }
}
