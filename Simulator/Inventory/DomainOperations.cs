using Microsoft.Extensions.Options;
using Vdi.Simulator.Hosting;
using Vdi.Simulator.Tasks;

namespace Vdi.Simulator.Inventory;

/// <summary>What ECP does when asked to change a domain: an asynchronous task that changes the inventory when it ends.</summary>
public sealed class DomainOperations(SimInventory inventory, TaskBook tasks, IOptions<SimulatorOptions> options, TimeProvider time)
{
    private SimulatorOptions Options => options.Value;

    private TimeSpan TaskDelay => TimeSpan.FromMilliseconds(Options.TaskMilliseconds);

    public static readonly IReadOnlySet<string> PowerActions = new HashSet<string> { "start", "shutdown", "reboot", "suspend", "resume", "reset" };

    /// <summary>Starts a power action; null when the domain does not exist.</summary>
    public SimTask? Power(Guid id, string action, bool force)
    {
        if (!inventory.Exists(id))
        {
            return null;
        }

        return tasks.Start($"Domain {action}", Entity(id), TaskDelay, () => ApplyPower(id, action, force));
    }

    /// <summary>Applies a power action at once (multi-manager children, fault-free internal use).</summary>
    public string? ApplyPower(Guid id, string action, bool force)
    {
        _ = force;
        var found = inventory.Update(id, d =>
        {
            switch (action)
            {
                case "start" or "resume" when d.PowerState != PowerState.On:
                    d.PowerState = PowerState.On;
                    d.GuestAgentUp = false;
                    break;
                case "shutdown":
                    d.PowerState = PowerState.Off;
                    d.GuestAgentUp = false;
                    break;
                case "suspend" when d.PowerState == PowerState.On:
                    d.PowerState = PowerState.Suspended;
                    break;
                case "reboot" or "reset":
                    d.GuestAgentUp = false;
                    break;
            }
        });
        if (!found)
        {
            return "Domain not found.";
        }

        if (inventory.Read(id, d => d.PowerState) == PowerState.On)
        {
            _ = GuestAgentAfterBootAsync(id);
        }

        return null;
    }

    public SimTask? Prepare(Guid id, bool remoteAccess, bool startOn, bool setHostname, (string Domain, string Login, string? OuPath, string PasswordSha256)? adJoin = null)
    {
        if (!inventory.Exists(id))
        {
            return null;
        }

        return tasks.Start("VDI prepare", Entity(id), TaskDelay, () =>
        {
            inventory.Update(id, d =>
            {
                d.RemoteAccess |= remoteAccess;
                if (setHostname)
                {
                    d.Hostname = d.VerboseName;
                }

                if (adJoin is not null)
                {
                    d.AdJoin = adJoin;
                }
            });
            return startOn ? ApplyPower(id, "start", false) : null;
        });
    }

    public SimTask? RemoteAccess(Guid id, bool enable) => inventory.Exists(id)
        ? tasks.Start("Remote access", Entity(id), TaskDelay, () => inventory.Update(id, d => d.RemoteAccess = enable) ? null : "Domain not found.")
        : null;

    public SimTask? SetHostname(Guid id, string hostname) => inventory.Exists(id)
        ? tasks.Start("Set hostname", Entity(id), TaskDelay, () => inventory.Update(id, d => d.Hostname = hostname) ? null : "Domain not found.")
        : null;

    public SimTask? Remove(Guid id) => inventory.Exists(id)
        ? tasks.Start("Domain remove", Entity(id), TaskDelay, () => inventory.Remove(id) ? null : "Domain not found.")
        : null;

    private async Task GuestAgentAfterBootAsync(Guid id)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(Options.GuestAgentMilliseconds), time);
        inventory.Update(id, d =>
        {
            if (d.PowerState == PowerState.On)
            {
                d.GuestAgentUp = true;
            }
        });
    }

    private static Dictionary<Guid, string> Entity(Guid id) => new() { [id] = "domain" };
}
