using Vdi.Grains.Interfaces.Pools;

namespace Vdi.Grains.Interfaces.Vms;

/// <summary>
/// An administrator's override of where thin clients connect to a VM for one protocol (the original's
/// <c>vm_connection_data</c>): a NAT or DMZ address and, optionally, port. While active it replaces the host (and the
/// port, when given) of the get-VM answer for that protocol.
/// </summary>
[GenerateSerializer, Immutable, Alias("ConnectionOverride")]
public sealed record ConnectionOverride(
    [property: Id(0)] ConnectionType ConnectionType,
    [property: Id(1)] string Address,
    [property: Id(2)] int? Port,
    [property: Id(3)] bool Active);

/// <summary>A thin client's get-VM for a VM: the protocol, and the client's time zone and system when it sent them.</summary>
[GenerateSerializer, Immutable, Alias("ConnectRequest")]
public sealed record ConnectRequest(
    [property: Id(0)] ConnectionType Protocol,
    [property: Id(1)] string? TimeZone = null,
    [property: Id(2)] string? ClientOs = null);
