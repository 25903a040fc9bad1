namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>What a thin client tells about itself when it opens its WebSocket.</summary>
[GenerateSerializer, Immutable, Alias("SessionInfo")]
public sealed record SessionInfo(
    [property: Id(0)] Guid UserId,
    [property: Id(1)] string Username,
    [property: Id(2)] string VeilConnectVersion,
    [property: Id(3)] string Ip,
    [property: Id(4)] string Os,
    [property: Id(5)] string MacAddress,
    [property: Id(6)] string Hostname,
    [property: Id(7)] bool InitiatedByUser,
    [property: Id(8)] string Gateway);
