using System.Text.Json.Serialization;

namespace Vdi.Grains.Interfaces.Pools;

/// <summary>One published application (RemoteApp) of an RDS farm, as VeiL Connect reads it from <c>farm_list</c>.</summary>
[GenerateSerializer, Immutable, Alias("RdsApp")]
public sealed record RdsApp(
    [property: Id(0), JsonPropertyName("app_name")] string AppName,
    [property: Id(1), JsonPropertyName("app_alias")] string AppAlias,
    [property: Id(2), JsonPropertyName("icon")] string Icon);
