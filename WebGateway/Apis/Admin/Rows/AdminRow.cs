namespace Vdi.WebGateway.Apis.Admin.Rows;

/// <summary>A row of an admin list as the SQL over the <c>vdi_*</c> projections returns it (columns map to properties by snake case).</summary>
public abstract record AdminRow;
