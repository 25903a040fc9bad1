using Npgsql;

namespace Vdi.Shared.Postgres;

/// <summary>Reading helpers for the broker's hand-written SQL (silos and gateways alike).</summary>
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
