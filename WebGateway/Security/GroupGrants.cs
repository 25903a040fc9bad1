using Npgsql;

namespace Vdi.WebGateway.Security;

/// <summary>What a user's groups grant: roles (added to the token at login) and thin-client permissions (sent with a VM).</summary>
public sealed class GroupGrants(NpgsqlDataSource db)
{
    public sealed record Grants(IReadOnlyList<string> Roles, IReadOnlyList<string> TkPermissions);

    public async Task<Grants> ForUserAsync(Guid userId)
    {
        await using var cmd = db.CreateCommand("""
            select coalesce((select array_agg(distinct r) from vdi_group_members m join vdi_groups g on g.id = m.group_id
                             cross join unnest(g.roles) r where m.user_id = @u), '{}'),
                   coalesce((select array_agg(distinct p) from vdi_group_members m join vdi_groups g on g.id = m.group_id
                             cross join unnest(g.tk_permissions) p where m.user_id = @u), '{}')
            """);
        cmd.Parameters.AddWithValue("u", userId);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Grants(reader.GetFieldValue<string[]>(0), reader.GetFieldValue<string[]>(1));
    }
}
