namespace Vdi.Grains.Interfaces.Users;

/// <summary>An administrator's change to a user; null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("UserChanges")]
public sealed record UserChanges
{
    [Id(0)] public string? FirstName { get; init; }
    [Id(1)] public string? LastName { get; init; }
    [Id(2)] public string? Email { get; init; }
    [Id(3)] public bool? IsSuperuser { get; init; }
    [Id(4)] public bool? IsActive { get; init; }
    [Id(5)] public IReadOnlyList<Role>? Roles { get; init; }
    [Id(6)] public string? Password { get; init; }
    [Id(7)] public IReadOnlyList<string>? TkPermissions { get; init; }
    /// <summary>Turns two-factor authentication off and forgets the TOTP secret (a lost phone).</summary>
    [Id(8)] public bool ResetTwoFactor { get; init; }
}
