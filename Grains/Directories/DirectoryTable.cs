using Npgsql;
using Vdi.Grains.Interfaces.Shared;

namespace Vdi.Grains.Directories;

/// <summary>Which directory logins go to: the first enabled one, as the original uses one directory.</summary>
public sealed class DirectoryTable(NpgsqlDataSource db)
{
    public async Task<Guid?> FirstEnabledAsync()
    {
        await using var cmd = db.CreateCommand("select id from vdi_directories where enabled order by created, id limit 1");
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }

    /// <summary>The Active Directory VMs join (the original had one directory): the first enabled one of that kind.</summary>
    public async Task<Guid?> FirstEnabledActiveDirectoryAsync()
    {
        await using var cmd = db.CreateCommand("select id from vdi_directories where enabled and kind = @kind order by created, id limit 1");
        cmd.Parameters.AddWithValue("kind", Vdi.Grains.Interfaces.Directories.DirectoryKind.ActiveDirectory.ToWire());
        return await cmd.ExecuteScalarAsync() is Guid id ? id : null;
    }
}

/// <summary>Directory logins (section <c>Directories</c>).</summary>
public sealed class DirectoryOptions
{
    public const string Section = "Directories";

    /// <summary>
    /// Whether a directory user who is not yet a broker user is created at the first successful login (the original
    /// asked an administrator to create or sync every user first).
    /// </summary>
    public bool CreateUsersAtFirstLogin { get; set; } = true;
}
