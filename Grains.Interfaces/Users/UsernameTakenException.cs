namespace Vdi.Grains.Interfaces.Users;

/// <summary>Raised when a username is already held by another user.</summary>
[GenerateSerializer, Alias("UsernameTakenException")]
public sealed class UsernameTakenException(string username)
    : Exception($"The username '{username}' is already taken.")
{
    [Id(0)]
    public string Username { get; } = username;
}
