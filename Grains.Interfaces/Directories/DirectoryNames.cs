namespace Vdi.Grains.Interfaces.Directories;

/// <summary>How a directory user's typed name becomes the broker's username.</summary>
public static class DirectoryNames
{
    /// <summary>
    /// The account name of what a user typed: <c>user</c>, <c>DOMAIN\user</c> or <c>user@domain</c>, and the domain
    /// part when one was given.
    /// </summary>
    public static (string Account, string? Domain) Split(string typed)
    {
        var name = typed.Trim();
        var slash = name.IndexOf('\\', StringComparison.Ordinal);
        if (slash > 0)
        {
            return (name[(slash + 1)..], name[..slash]);
        }

        var at = name.LastIndexOf('@');
        return at > 0 ? (name[..at], name[(at + 1)..]) : (name, null);
    }
}
