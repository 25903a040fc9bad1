using System.Text.Json.Serialization;

namespace Vdi.Grains.Interfaces.Pools;

/// <summary>An RDS collection the user may use and its published applications (an entry of get-VM's <c>farm_list</c>).</summary>
[GenerateSerializer, Immutable, Alias("RdsFarm")]
public sealed record RdsFarm(
    [property: Id(0), JsonPropertyName("farm_alias")] string FarmAlias,
    [property: Id(1), JsonPropertyName("app_array")] IReadOnlyList<RdsApp> Apps);
