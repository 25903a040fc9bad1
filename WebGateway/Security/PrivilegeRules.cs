using System.Security.Claims;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.WebGateway.Security;

/// <summary>
/// Who may change whose privileges (issue 14 §4). A SECURITY_ADMINISTRATOR manages ordinary accounts; only a superuser
/// grants or revokes superuser or ADMINISTRATOR (directly or through a group), or touches a superuser's password,
/// two-factor authentication or activation; nobody changes their own privileges or activation; the last active
/// superuser is never deactivated or demoted. Checked before anything is written.
/// </summary>
public static class PrivilegeRules
{
    public static void CheckCreate(ClaimsPrincipal actor, bool superuser, IReadOnlyCollection<Role> roles)
    {
        if (!actor.IsSuperuser() && (superuser || roles.Contains(Role.Administrator)))
        {
            throw BrokerException.Forbidden("only a superuser creates a superuser or an ADMINISTRATOR", superuser ? "is_superuser" : "roles");
        }
    }

    public static async Task CheckUpdateAsync(ClaimsPrincipal actor, UserView target, UserChanges change, Func<Task<long>> activeSuperusers)
    {
        var superuserChanges = change.IsSuperuser is { } su && su != target.IsSuperuser;
        var rolesChange = change.Roles is { } roles && !roles.ToHashSet().SetEquals(target.Roles);
        var administratorChanges = change.Roles is { } r && r.Contains(Role.Administrator) != target.Roles.Contains(Role.Administrator);
        var activationChanges = change.IsActive is { } active && active != target.IsActive;
        var permissionsChange = change.TkPermissions is { } p && !p.ToHashSet().SetEquals(target.TkPermissions ?? []);

        if (actor.UserId() == target.Id && (superuserChanges || rolesChange || activationChanges || permissionsChange))
        {
            throw BrokerException.Forbidden("nobody changes their own roles, superuser status, permissions or activation", "roles");
        }

        if (!actor.IsSuperuser())
        {
            if (superuserChanges)
            {
                throw BrokerException.Forbidden("only a superuser grants or revokes superuser", "is_superuser");
            }

            if (administratorChanges)
            {
                throw BrokerException.Forbidden("only a superuser grants or revokes ADMINISTRATOR", "roles");
            }

            if (target.IsSuperuser && (change.Password is not null || change.ResetTwoFactor || activationChanges || rolesChange || permissionsChange))
            {
                throw BrokerException.Forbidden("only a superuser changes a superuser's password, two-factor authentication, roles or activation");
            }
        }

        if (target is { IsSuperuser: true, IsActive: true } && (change.IsActive == false || change.IsSuperuser == false) && await activeSuperusers() <= 1)
        {
            throw BrokerException.Conflict("the last active superuser cannot be deactivated or demoted", change.IsActive == false ? "is_active" : "is_superuser");
        }
    }

    /// <summary>
    /// Deleting a user: never oneself, a superuser or an ADMINISTRATOR only by a superuser, and never the last active
    /// superuser.
    /// </summary>
    public static async Task CheckDeleteAsync(ClaimsPrincipal actor, UserView target, Func<Task<long>> activeSuperusers)
    {
        if (actor.UserId() == target.Id)
        {
            throw BrokerException.Forbidden("nobody deletes their own account");
        }

        if (!actor.IsSuperuser() && (target.IsSuperuser || target.Roles.Contains(Role.Administrator)))
        {
            throw BrokerException.Forbidden("only a superuser deletes a superuser or an ADMINISTRATOR");
        }

        if (target is { IsSuperuser: true, IsActive: true } && await activeSuperusers() <= 1)
        {
            throw BrokerException.Conflict("the last active superuser cannot be deleted");
        }
    }

    /// <summary>Unlocking a superuser's account is a superuser's decision, like its password.</summary>
    public static void CheckUnlock(ClaimsPrincipal actor, UserView target)
    {
        if (!actor.IsSuperuser() && target.IsSuperuser)
        {
            throw BrokerException.Forbidden("only a superuser unlocks a superuser");
        }
    }

    /// <summary>A group's roles: granting or revoking ADMINISTRATOR through a group is a superuser's decision too.</summary>
    public static void CheckGroupRoles(ClaimsPrincipal actor, IReadOnlyCollection<Role> before, IReadOnlyCollection<Role>? after)
    {
        if (!actor.IsSuperuser() && after is not null && after.Contains(Role.Administrator) != before.Contains(Role.Administrator))
        {
            throw BrokerException.Forbidden("only a superuser grants or revokes ADMINISTRATOR, also through a group", "roles");
        }
    }

    /// <summary>Members of a group that grants ADMINISTRATOR are added or removed by a superuser only.</summary>
    public static void CheckMembership(ClaimsPrincipal actor, IReadOnlyCollection<Role> groupRoles)
    {
        if (!actor.IsSuperuser() && groupRoles.Contains(Role.Administrator))
        {
            throw BrokerException.Forbidden("only a superuser changes the members of a group that grants ADMINISTRATOR", "users");
        }
    }
}
