namespace Vdi.Grains.ThinClients;

[GenerateSerializer, Alias("UserSessionsState")]
public sealed class UserSessionsState
{
    [Id(0)] public HashSet<Guid> Sessions { get; set; } = [];
}
