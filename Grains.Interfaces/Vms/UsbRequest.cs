namespace Vdi.Grains.Interfaces.Vms;

/// <summary>A thin client's USB redirection request: attach <c>HostAddress:HostPort</c>, or detach one device or all.</summary>
[GenerateSerializer, Immutable, Alias("UsbRequest")]
public sealed record UsbRequest(
    [property: Id(0)] bool Attach,
    [property: Id(1)] string? HostAddress = null,
    [property: Id(2)] int HostPort = 0,
    [property: Id(3)] string? UsbUuid = null,
    [property: Id(4)] bool RemoveAll = false);
