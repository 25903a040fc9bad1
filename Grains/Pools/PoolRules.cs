using System.Text.RegularExpressions;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;

namespace Vdi.Grains.Pools;

/// <summary>
/// The original's defaults and validation rules for pools (§3.3), as one pure function per operation. Every
/// violation is a <see cref="BrokerException"/> of kind Invalid naming the field.
/// </summary>
public static partial class PoolRules
{
    public const int MinSize = 1;
    public const int MaxSize = 10_000;
    public const int MaxStep = 100;
    public const int NameLimit = 128;

    /// <summary>A week: a longer wait is no policy (5,000,000 s overflowed the VM grain's timers).</summary>
    public const int MaxDisconnectActionTimeout = 7 * 24 * 3600;

    [GeneratedRegex(@"^[а-яА-ЯёЁa-zA-Z0-9\-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-zA-Z]+[a-zA-Z0-9-]{2,63}$")]
    private static partial Regex VmNamePattern();

    /// <summary>A VM or template name the controller and a guest's hostname accept (the rule of vm_name_template).</summary>
    public static bool IsVmName(string name) => VmNamePattern().IsMatch(name);

    /// <summary>A new pool of the given type from the administrator's settings, defaults filled in.</summary>
    public static PoolState Create(PoolType type, PoolSettings s, string creator, DateTimeOffset now)
    {
        if (s.VerboseName is not { } name || name.Trim().Length is 0 or > NameLimit || !NamePattern().IsMatch(name.Trim()))
        {
            throw Invalid("verbose_name", $"verbose_name must be 1 to {NameLimit} letters, digits or '-'");
        }

        var pool = new PoolState
        {
            PoolType = type,
            Status = PoolStatus.Creating,
            VerboseName = s.VerboseName?.Trim() ?? "",
            ControllerId = s.ControllerId ?? throw Invalid("controller_id", "controller_id is required"),
            ResourcePoolId = s.ResourcePoolId ?? throw Invalid("resource_pool_id", "resource_pool_id is required"),
            ConnectionTypes = [.. s.ConnectionTypes ?? [type == PoolType.Rds ? ConnectionType.Rdp : ConnectionType.Spice]],
            KeepVmsOn = s.KeepVmsOn ?? false,
            FreeVmFromUser = s.FreeVmFromUser ?? false,
            VmDisconnectActionTimeout = s.VmDisconnectActionTimeout ?? (type == PoolType.Rds ? 0 : 60),
            VmActionUponUserDisconnect = s.VmActionUponUserDisconnect ?? (type == PoolType.Guest ? VmDisconnectAction.Recreate : VmDisconnectAction.None),
            Creator = creator,
            Created = now,
            Updated = now,
        };
        if (type is PoolType.Static or PoolType.Rds)
        {
            pool.InitialSize = pool.TotalSize = s.VmIds?.Count ?? 0;
            if (s.VmIds is not { Count: > 0 })
            {
                throw Invalid("vms", type == PoolType.Rds ? "an RDS pool needs at least one RDS host" : "a static pool needs at least one VM");
            }
        }
        else
        {
            pool.DataPoolId = s.DataPoolId ?? throw Invalid("datapool_id", "datapool_id is required");
            pool.TemplateId = s.TemplateId ?? throw Invalid("template_id", "template_id is required");
            pool.VmNameTemplate = s.VmNameTemplate?.Trim() ?? throw Invalid("vm_name_template", "vm_name_template is required");
            pool.InitialSize = s.InitialSize ?? 1;
            pool.ReserveSize = s.ReserveSize ?? 1;
            pool.TotalSize = s.TotalSize ?? 2;
            pool.IncreaseStep = s.IncreaseStep ?? 1;
            pool.CreateThinClones = type == PoolType.Guest || (s.CreateThinClones ?? true);
            pool.EnableVmsRemoteAccess = type == PoolType.Guest || (s.EnableVmsRemoteAccess ?? true);
            pool.StartVms = type == PoolType.Guest || (s.StartVms ?? true);
            pool.SetVmsHostnames = type != PoolType.Guest && (s.SetVmsHostnames ?? false);
            pool.IncludeVmsInAd = type != PoolType.Guest && (s.IncludeVmsInAd ?? false);
            pool.AdOu = s.AdOu?.Trim() ?? "";
        }

        Validate(pool, vmCount: 0);
        return pool;
    }

    /// <summary>The pool after an update (only the editable settings); the input is not changed.</summary>
    public static PoolState Update(PoolState current, PoolSettings s, int vmCount)
    {
        var pool = current.Copy();
        pool.VerboseName = s.VerboseName?.Trim() ?? pool.VerboseName;
        pool.ConnectionTypes = s.ConnectionTypes is null ? pool.ConnectionTypes : [.. s.ConnectionTypes];
        pool.KeepVmsOn = s.KeepVmsOn ?? pool.KeepVmsOn;
        pool.FreeVmFromUser = s.FreeVmFromUser ?? pool.FreeVmFromUser;
        pool.VmActionUponUserDisconnect = s.VmActionUponUserDisconnect ?? pool.VmActionUponUserDisconnect;
        pool.VmDisconnectActionTimeout = s.VmDisconnectActionTimeout ?? pool.VmDisconnectActionTimeout;
        if (pool.IsAutomated)
        {
            pool.ReserveSize = s.ReserveSize ?? pool.ReserveSize;
            pool.TotalSize = s.TotalSize ?? pool.TotalSize;
            pool.IncreaseStep = s.IncreaseStep ?? pool.IncreaseStep;
            pool.VmNameTemplate = s.VmNameTemplate?.Trim() ?? pool.VmNameTemplate;
            pool.AdOu = s.AdOu?.Trim() ?? pool.AdOu;
            if (pool.PoolType == PoolType.Automated)
            {
                pool.CreateThinClones = s.CreateThinClones ?? pool.CreateThinClones;
                pool.EnableVmsRemoteAccess = s.EnableVmsRemoteAccess ?? pool.EnableVmsRemoteAccess;
                pool.StartVms = s.StartVms ?? pool.StartVms;
                pool.SetVmsHostnames = s.SetVmsHostnames ?? pool.SetVmsHostnames;
                pool.IncludeVmsInAd = s.IncludeVmsInAd ?? pool.IncludeVmsInAd;
            }
        }

        Validate(pool, vmCount);
        return pool;
    }

    public static void Validate(PoolState p, int vmCount)
    {
        if (p.VerboseName.Length is 0 or > NameLimit || !NamePattern().IsMatch(p.VerboseName))
        {
            throw Invalid("verbose_name", $"verbose_name must be 1 to {NameLimit} letters, digits or '-'");
        }

        if (p.ConnectionTypes.Count == 0 || p.ConnectionTypes.Any(c => !Enum.IsDefined(c)))
        {
            throw Invalid("connection_types", "connection_types must list at least one of SPICE, SPICE_DIRECT, RDP, NATIVE_RDP, LOUDPLAY");
        }

        if (p.VmDisconnectActionTimeout is < 0 or > MaxDisconnectActionTimeout)
        {
            throw Invalid("vm_disconnect_action_timeout", $"vm_disconnect_action_timeout must be 0 to {MaxDisconnectActionTimeout} seconds (a week)");
        }

        switch (p.PoolType)
        {
            case PoolType.Guest when p.VmActionUponUserDisconnect != VmDisconnectAction.Recreate:
                throw Invalid("vm_action_upon_user_disconnect", "a guest pool's VMs are always recreated after the user leaves (RECREATE)");
            case PoolType.Automated or PoolType.Static when p.VmActionUponUserDisconnect == VmDisconnectAction.Recreate:
                throw Invalid("vm_action_upon_user_disconnect", "RECREATE is only for guest pools");
            case PoolType.Rds when p.VmActionUponUserDisconnect != VmDisconnectAction.None:
                throw Invalid("vm_action_upon_user_disconnect", "an RDS pool's hosts are shared: nothing is done when a user leaves (NONE)");
            case PoolType.Rds when p.ConnectionTypes.Any(c => c is not (ConnectionType.Rdp or ConnectionType.NativeRdp)):
                throw Invalid("connection_types", "an RDS pool offers only RDP and NATIVE_RDP");
            case PoolType.Rds when p.FreeVmFromUser:
                throw Invalid("free_vm_from_user", "an RDS pool's hosts belong to no user");
        }

        if (!Enum.IsDefined(p.VmActionUponUserDisconnect))
        {
            throw Invalid("vm_action_upon_user_disconnect", "unknown action");
        }

        if (!p.IsAutomated)
        {
            return;
        }

        if (p.VmNameTemplate is null || !VmNamePattern().IsMatch(p.VmNameTemplate))
        {
            throw Invalid("vm_name_template", "vm_name_template must start with a letter and be 3 to 64 letters, digits or '-'");
        }

        Range("initial_size", p.InitialSize);
        Range("reserve_size", p.ReserveSize);
        Range("total_size", p.TotalSize);
        if (p.TotalSize < p.InitialSize)
        {
            throw Invalid("total_size", $"total_size ({p.TotalSize}) must not be less than initial_size ({p.InitialSize})");
        }

        if (p.TotalSize < vmCount)
        {
            throw Invalid("total_size", $"total_size ({p.TotalSize}) must not be less than the pool's {vmCount} VMs");
        }

        if (p.ReserveSize > p.TotalSize)
        {
            throw Invalid("reserve_size", $"reserve_size ({p.ReserveSize}) must not exceed total_size ({p.TotalSize})");
        }

        if (p.IncreaseStep < 1 || p.IncreaseStep > Math.Min(MaxStep, p.TotalSize))
        {
            throw Invalid("increase_step", $"increase_step must be 1 to {Math.Min(MaxStep, p.TotalSize)}");
        }
    }

    private static void Range(string field, int value)
    {
        if (value is < MinSize or > MaxSize)
        {
            throw Invalid(field, $"{field} must be {MinSize} to {MaxSize}");
        }
    }

    private static BrokerException Invalid(string field, string message) => BrokerException.Invalid(field, message);
}
