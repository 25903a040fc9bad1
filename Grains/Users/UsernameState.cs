namespace Vdi.Grains.Users;

/// <summary>Which user holds a username.</summary>
[GenerateSerializer, Alias("UsernameState")]
public sealed class UsernameState
{
    [Id(0)] public Guid? UserId { get; set; }
}
