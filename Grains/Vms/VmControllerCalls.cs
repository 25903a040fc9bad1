using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.ThinClients;

namespace Vdi.Grains.Vms;

/// <summary>
/// A VM's calls to its controller for users and administrators, with the original's failure rules: a controller that
/// is not ACTIVE is refused (<see cref="ControllerSessions"/>); one that fails the call is told so (its health check
/// follows) and the caller gets "VM is unreachable" (the thin client's 004, an administrator's 502); a controller
/// that no longer has the VM (404) makes it lost (<paramref name="onGone"/>; only another VM will do).
/// </summary>
public sealed class VmControllerCalls(Guid vmId, Guid controllerId, string vmName, ControllerSessions controllers, Func<Task> onGone)
{
    /// <summary>A power action, waited for; the domain as it is afterwards.</summary>
    public Task<EcpDomain> PowerAsync(PowerAction action, bool force, TimeSpan wait)
    {
        var wire = action.ToWireLower();
        return CallAsync(async client =>
        {
            var result = await client.WaitForTaskAsync(await client.PowerAsync(vmId, action, force), wait);
            return result.Succeeded
                ? await client.GetDomainAsync(vmId)
                : throw new BrokerException(ErrorKind.VmUnreachable, $"the controller could not {wire} the VM: {result.Error ?? result.Status}");
        }, $"the controller could not {wire} the VM");
    }

    public Task<VmConnector.Prepared> PrepareAsync(ConnectionType protocol, ThinClientOptions options, TimeProvider time) =>
        CallAsync(async client => await new VmConnector(client, options, time).PrepareAsync(await DomainAsync(client), protocol, vmName));

    /// <summary>
    /// Runs a program in the guest through its agent (qemu-guest-agent's guest-exec), once the controller reports the
    /// agent up (polled until <paramref name="wait"/>): what the program wrote. <paramref name="timeout"/> is the
    /// command's own limit on the controller, in seconds.
    /// </summary>
    public Task<GuestExecOutput> GuestExecAsync(string path, IReadOnlyList<string> arguments, TimeSpan wait, TimeSpan poll, TimeProvider time, int timeout = 30) => CallAsync(async client =>
    {
        var deadline = time.GetUtcNow() + wait;
        while (!(await client.GetDomainAsync(vmId)).GuestAgentUp)
        {
            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"the guest agent of {vmName} did not answer in {wait.TotalSeconds:0} s");
            }

            await Task.Delay(poll, time);
        }

        return await client.GuestExecAsync(vmId, path, arguments, timeout);
    });

    /// <summary>The domain as the controller has it, and the controller's host (where its SPICE console is).</summary>
    public Task<(EcpDomain Domain, string Host)> ReadAsync() => CallAsync(async client => (await DomainAsync(client), client.Host));

    /// <summary>Attaches or detaches a thin client's TCP-USB device; the controller's reply as JSON.</summary>
    public Task<string> UsbAsync(UsbRequest request) => CallAsync(async client =>
    {
        var reply = request.Attach
            ? await client.AttachUsbAsync(vmId, request.HostAddress!.Trim(), request.HostPort)
            : await client.DetachUsbAsync(vmId, request.RemoveAll ? null : request.UsbUuid, request.RemoveAll);
        return reply.GetRawText();
    });

    /// <summary>The controller's web console of the VM, its remote access turned on first when it is off.</summary>
    public Task<string> ConsoleUrlAsync(TimeSpan wait) => CallAsync(async client =>
    {
        if (!(await DomainAsync(client)).RemoteAccess)
        {
            await client.WaitForTaskAsync(await client.RemoteAccessAsync(vmId, true), wait);
        }

        return await client.ConsoleUrlAsync(vmId) ?? throw new BrokerException(ErrorKind.VmUnreachable, "the controller gave no console address");
    }, "the controller did not open the VM's console");

    /// <summary>The guest utilities' ISO into a new CD-ROM; refused (WrongStatus) while the VM is on.</summary>
    public Task<bool> AttachGuestUtilsAsync(TimeSpan wait) => CallAsync(async client =>
    {
        if ((await DomainAsync(client)).PowerState == PowerState.On)
        {
            throw BrokerException.WrongStatus($"VM {vmName} is on: the controller adds a CD-ROM only to a VM that is off", "power_state");
        }

        var done = await client.WaitForTaskAsync(await client.AttachGuestUtilsIsoAsync(vmId), wait);
        return done.Succeeded ? true : throw new BrokerException(ErrorKind.VmUnreachable, $"the controller could not attach the ISO: {done.Error ?? done.Status}");
    }, "the controller could not attach the guest utilities' ISO");

    /// <summary>
    /// The original's "convert to template": a full copy of the VM (it must be off and no thin clone) in its resource
    /// pool, then made a template; the VM itself stays as it was. The new template's id.
    /// </summary>
    public Task<Guid> ConvertToTemplateAsync(string name, Guid templateId, TimeSpan wait) => CallAsync(async client =>
    {
        var domain = await DomainAsync(client);
        if (domain.PowerState == PowerState.On)
        {
            throw BrokerException.WrongStatus($"VM {vmName} is on: shut it down first", "power_state");
        }

        if (domain.Raw.TryGetProperty("thin", out var thin) && thin.ValueKind == System.Text.Json.JsonValueKind.True)
        {
            throw BrokerException.Invalid("vm", "a thin clone cannot become a template");
        }

        var resourcePool = domain.Raw.TryGetProperty("resource_pool", out var rp) && rp.ValueKind == System.Text.Json.JsonValueKind.Object
                           && rp.TryGetProperty("id", out var rpId) && Guid.TryParse(rpId.GetString(), out var rpGuid)
            ? rpGuid
            : throw new BrokerException(ErrorKind.VmUnreachable, "the controller did not say the VM's resource pool");
        var copied = await client.WaitForTaskAsync(await client.CloneAsync(vmId, name, resourcePool, templateId, Guid.NewGuid()), wait);
        if (!copied.Succeeded)
        {
            throw new BrokerException(ErrorKind.VmUnreachable, $"the controller could not copy the VM: {copied.Error ?? copied.Status}");
        }

        var converted = await client.WaitForTaskAsync(await client.ConvertToTemplateAsync(templateId), wait);
        return converted.Succeeded ? templateId : throw new BrokerException(ErrorKind.VmUnreachable, $"the controller could not make the copy a template: {converted.Error ?? converted.Status}");
    }, "the controller could not convert the VM to a template");

    /// <summary>A backup of the VM, waited for; refused (Invalid) for a thin clone, as the controller would.</summary>
    public Task<bool> BackupAsync(TimeSpan wait) => CallAsync(async client =>
    {
        if ((await DomainAsync(client)).Raw.TryGetProperty("thin", out var thin) && thin.ValueKind == System.Text.Json.JsonValueKind.True)
        {
            throw BrokerException.Invalid("vm", $"VM {vmName} is a thin clone: the controller backs up only full VMs");
        }

        var done = await client.WaitForTaskAsync(await client.BackupAsync(vmId), wait);
        return done.Succeeded ? true : throw new BrokerException(ErrorKind.VmUnreachable, $"Creating backup finished with error: {done.Error ?? done.Status}");
    }, "the controller could not back up the VM");

    public Task<IReadOnlyList<VmBackup>> ListBackupsAsync() => CallAsync(client => client.ListBackupsAsync(vmId), "the controller could not list the VM's backups");

    /// <summary>Restores a backup as a new VM on the VM's node; the new VM's id and name once the controller is done.</summary>
    public Task<(Guid Id, string Name, PowerState Power)> RestoreAsync(Guid file, TimeSpan wait) => CallAsync(async client =>
    {
        var domain = await DomainAsync(client);
        if (!(await client.ListBackupsAsync(vmId)).Any(b => b.Id == file))
        {
            throw BrokerException.NotFound($"VM {vmName} has no backup {file}");
        }

        var node = domain.NodeId ?? throw new BrokerException(ErrorKind.VmUnreachable, "the controller did not say the VM's node");
        var (task, restored) = await client.RestoreAsync(vmId, file, node);
        var done = await client.WaitForTaskAsync(task, wait);
        if (!done.Succeeded)
        {
            throw new BrokerException(ErrorKind.VmUnreachable, $"the controller could not restore the backup: {done.Error ?? done.Status}");
        }

        var made = await client.GetDomainAsync(restored);
        return (restored, made.VerboseName, made.PowerState);
    }, "the controller could not restore the backup");

    private async Task<T> CallAsync<T>(Func<EcpClient, Task<T>> call, string? failure = null)
    {
        EcpClient client;
        try
        {
            client = await controllers.ConnectAsync(controllerId);
        }
        catch (BrokerException e) when (e.Kind == ErrorKind.ControllerUnavailable)
        {
            throw new BrokerException(ErrorKind.ControllerUnavailable, $"VM is unreachable on ECP VeiL: {e.Message}."); // the original's words, and why
        }

        try
        {
            return await call(client);
        }
        catch (EcpException e)
        {
            await controllers.ReportAsync(controllerId, e);
            throw new BrokerException(ErrorKind.VmUnreachable, failure is null ? "VM is unreachable on ECP VeiL." : $"{failure}: {e.Message}");
        }
        catch (TimeoutException e)
        {
            throw new BrokerException(ErrorKind.Timeout, $"The controller did not finish in time: {e.Message}");
        }
    }

    private async Task<EcpDomain> DomainAsync(EcpClient client)
    {
        try
        {
            return await client.GetDomainAsync(vmId);
        }
        catch (EcpException e) when (e.Kind == EcpErrorKind.NotFound)
        {
            await onGone();
            throw new BrokerException(ErrorKind.VmLost, $"VM is unreachable on ECP VeiL: VM {vmName} no longer exists on its controller.");
        }
    }
}
