using Npgsql;

namespace Vdi.Grains.Directories;

/// <summary>Which directory logins go to: the first enabled one, as the original uses one directory.</summary>
public sealed class DirectoryTable(NpgsqlDataSource db)
{
    public async Task<Guid?> FirstEnabledAsync()
    {
        await using var cmd = db.CreateCommand("select id from vdi_directories where enabled order by created, id limit 1");
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
