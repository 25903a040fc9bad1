namespace Vdi.Grains.Interfaces.Users;

/// <summary>The rules for usernames, shared by every caller of the username index.</summary>
public static class Usernames
{
    /// <summary>The original's column limit.</summary>
    public const int MaxLength = 128;

    /// <summary>The key of the username grain: usernames are case-insensitive.</summary>
    public static string Key(string username) => username.Trim().ToLowerInvariant();

    /// <summary>Looks a user up by name.</summary>
    public static IUsernameGrain ForName(this IGrainFactory grains, string username) =>
        grains.GetGrain<IUsernameGrain>(Key(username));
}
