using Vdi.Grains.Interfaces.Users;

namespace Vdi.WebGateway.Security;

/// <summary>Role claims and the authorization policies built on them (superusers hold every role).</summary>
public static class Roles
{
    public const string Superuser = "SUPERUSER";
    public const string Administrator = "ADMINISTRATOR";
    public const string SecurityAdministrator = "SECURITY_ADMINISTRATOR";
    public const string Operator = "OPERATOR";

    public const string AdministratorPolicy = "administrator";
    public const string SecurityAdministratorPolicy = "security-administrator";
    public const string OperatorPolicy = "operator";

    /// <summary>The roles a user holds now: their own and their groups'.</summary>
    public static IEnumerable<string> Of(CurrentAccess access) =>
        access.IsSuperuser ? [Superuser, Administrator, SecurityAdministrator, Operator] : access.Roles.Select(r => r.ToWire()).Union(access.GroupRoles);
}
