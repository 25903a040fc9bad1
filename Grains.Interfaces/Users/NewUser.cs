namespace Vdi.Grains.Interfaces.Users;

/// <summary>What it takes to create a local user.</summary>
[GenerateSerializer, Immutable, Alias("NewUser")]
public sealed record NewUser(
    [property: Id(0)] string Username,
    [property: Id(1)] string Password,
    [property: Id(2)] bool IsSuperuser,
    [property: Id(3)] IReadOnlyList<Role> Roles,
    [property: Id(4)] string Creator,
    [property: Id(5)] string FirstName = "",
    [property: Id(6)] string LastName = "",
    [property: Id(7)] string Email = "",
    [property: Id(8)] Guid? DirectoryId = null);
