namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>
/// A message from the client (<c>msg_type: UPDATED</c>), parsed once by the gateway that holds the socket. Every
/// type but <see cref="ClientEventType.UserGui"/> is about a VM and carries its id.
/// </summary>
[GenerateSerializer, Immutable, Alias("ClientEvent")]
public sealed record ClientEvent(
    [property: Id(9)] ClientEventType Type,
    [property: Id(1)] Guid? VmId,
    [property: Id(2)] string? ConnectionType = null,
    [property: Id(3)] bool? IsConnectionSecure = null,
    [property: Id(4)] string? ErrorText = null,
    [property: Id(5)] long? ReadSpeed = null,
    [property: Id(6)] long? WriteSpeed = null,
    [property: Id(7)] double? AvgRtt = null,
    [property: Id(8)] double? LossPercentage = null)
{
    /// <summary>The event's name on the wire (<c>vm_connected</c>...), as the original publishes it in <c>tk_conn_event</c>.</summary>
    public string Name => Type.ToWireLower();

    /// <summary>Whether the event has what its type needs (a VM id for all but <c>user_gui</c>).</summary>
    public bool IsComplete => Type switch
    {
        ClientEventType.Unknown => false,
        ClientEventType.UserGui => true,
        _ => VmId is not null,
    };
}
