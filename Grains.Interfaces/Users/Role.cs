namespace Vdi.Grains.Interfaces.Users;

/// <summary>Administrative roles of the original broker; a superuser holds all of them.</summary>
[GenerateSerializer, Alias("Role")]
public enum Role
{
    SecurityAdministrator = 0,
    Operator = 1,
    Administrator = 2,
}
