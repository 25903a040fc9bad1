namespace Vdi.Grains.Interfaces.Users;

/// <summary>The original's wire names of the roles (SECURITY_ADMINISTRATOR, OPERATOR, ADMINISTRATOR).</summary>
public static class RoleNames
{
    public static string ToWire(this Role role) => role switch
    {
        Role.SecurityAdministrator => "SECURITY_ADMINISTRATOR",
        Role.Operator => "OPERATOR",
        Role.Administrator => "ADMINISTRATOR",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };
}
