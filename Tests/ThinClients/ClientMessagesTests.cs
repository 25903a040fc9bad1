using Vdi.Grains.Interfaces.ThinClients;
using Vdi.WebGateway.ThinClients;

namespace Vdi.Tests.ThinClients;

/// <summary>VeiL Connect's WebSocket messages, parsed once into typed events (§8.2).</summary>
public sealed class ClientMessagesTests
{
    [Fact]
    public void Each_event_of_the_client_has_its_type_and_fields()
    {
        var vm = Guid.NewGuid();
        Assert.Equal(new ClientEvent(ClientEventType.VmConnected, vm, "SPICE", true),
            ClientMessages.Parse($$"""{"msg_type":"UPDATED","event":"vm_connected","vm_id":"{{vm}}","connection_type":"SPICE","is_connection_secure":true}"""));
        Assert.Equal(new ClientEvent(ClientEventType.VmConnectionError, vm, ErrorText: "refused"),
            ClientMessages.Parse($$"""{"event":"vm_connection_error","vm_id":"{{vm}}","conn_error_str":"refused"}"""));
        // VeiL Connect's speedometer sends "total" for what it read
        Assert.Equal(new ClientEvent(ClientEventType.NetworkStats, vm, "SPICE", ReadSpeed: 10, WriteSpeed: 20, AvgRtt: 1.5, LossPercentage: 0),
            ClientMessages.Parse($$"""{"event":"network_stats","vm_id":"{{vm}}","connection_type":"SPICE","total":10,"write_speed":20,"avg_rtt":1.5,"loss_percentage":0}"""));
        var gui = ClientMessages.Parse("""{"event":"user_gui"}""")!;
        Assert.Equal((ClientEventType.UserGui, true, "user_gui"), (gui.Type, gui.IsComplete, gui.Name));
    }

    [Fact]
    public void Unknown_or_incomplete_events_are_typed_as_such_and_non_messages_are_null()
    {
        Assert.Equal(ClientEventType.Unknown, ClientMessages.Parse("""{"event":"vm_exploded","vm_id":"x"}""")!.Type);
        Assert.False(ClientMessages.Parse("""{"event":"vm_exploded"}""")!.IsComplete);
        Assert.False(ClientMessages.Parse("""{"event":"vm_connected"}""")!.IsComplete); // no vm_id
        Assert.Equal(ClientEventType.Unknown, ClientMessages.Parse("""{"event":"1"}""")!.Type);
        Assert.Null(ClientMessages.Parse("not json"));
        Assert.Null(ClientMessages.Parse("""{"event":5}"""));
        Assert.Null(ClientMessages.Parse("[1,2]"));
        var vm = Guid.NewGuid(); // statistics of the wrong type are left out, not a crash of the socket
        Assert.Equal(new ClientEvent(ClientEventType.NetworkStats, vm),
            ClientMessages.Parse($$"""{"event":"network_stats","vm_id":"{{vm}}","read_speed":"fast","avg_rtt":null}"""));
    }
}
