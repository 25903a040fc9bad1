using Npgsql;

namespace Vdi.WebGateway.Data;

public static class NpgsqlCommands
{
    /// <summary>The first column of every row, as ids.</summary>
    public static async Task<IReadOnlyList<Guid>> ReadGuidsAsync(this NpgsqlCommand cmd)
    {
        await using var reader = await cmd.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
