using System.Text.Json.Serialization;

namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>A row of an admin list as the SQL over the <c>vdi_*</c> projections returns it (columns map to properties by snake case).</summary>
public abstract record AdminRow
{
    /// <summary>The list's total (<c>count(*) over ()</c>), read with each row; the page carries it once.</summary>
    [JsonIgnore]
    public long TotalCount { get; init; }
}
