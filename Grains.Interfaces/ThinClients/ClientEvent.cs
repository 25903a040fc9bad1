namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>A message from the client (<c>msg_type: UPDATED</c>): vm_connected, vm_disconnected, vm_connection_error, user_gui, network_stats.</summary>
[GenerateSerializer, Immutable, Alias("ClientEvent")]
public sealed record ClientEvent(
    [property: Id(0)] string Event,
    [property: Id(1)] Guid? VmId,
    [property: Id(2)] string? ConnectionType,
    [property: Id(3)] bool? IsConnectionSecure,
    [property: Id(4)] string? ErrorText,
    [property: Id(5)] long? ReadSpeed,
    [property: Id(6)] long? WriteSpeed,
    [property: Id(7)] double? AvgRtt,
    [property: Id(8)] double? LossPercentage);
