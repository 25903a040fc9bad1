using System.Text.Json;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>One page of an ECP list: <c>count</c> is the total, not the page size.</summary>
public sealed record EcpPage(int Count, IReadOnlyList<JsonElement> Results);
