using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.ThinClients;

namespace Vdi.Grains.Vms;

/// <summary>
/// Makes a VM ready for a thin client on its controller (§8.1 get-VM, steps 4-6): powers it on and waits, enables
/// remote access for SPICE, and resolves where the client connects for the protocol (the controller for SPICE, the
/// node for SPICE_DIRECT, the guest's address, polled until its agent reports one, for RDP and LOUDPLAY). It knows
/// nothing of grains: the VM grain records what it observed (<see cref="Prepared.Domain"/>).
/// </summary>
public sealed class VmConnector(EcpClient client, ThinClientOptions options, TimeProvider time)
{
    public const int RdpPort = 3389;
    public const int LoudplayPort = 8554;

    /// <summary>The connection data and the domain as last read (its power state, for the VM's record).</summary>
    public sealed record Prepared(VmConnectionData Connection, EcpDomain Domain);

    /// <summary>
    /// Throws <see cref="BrokerException"/> <see cref="ErrorKind.VmUnreachable"/> when the VM did not start,
    /// <see cref="ErrorKind.Timeout"/> when no address came in time; <see cref="EcpException"/> passes through.
    /// </summary>
    public async Task<Prepared> PrepareAsync(EcpDomain domain, ConnectionType protocol, string knownName)
    {
        var id = domain.Id;
        if (domain.PowerState != PowerState.On)
        {
            var start = await client.PowerAsync(id, PowerAction.Start, force: false);
            if (!(await WaitAsync(start, options.PowerOnTimeout)).Succeeded)
            {
                throw new BrokerException(ErrorKind.VmUnreachable, "VM is unreachable on ECP VeiL.");
            }

            domain = await client.GetDomainAsync(id);
        }

        if (protocol is ConnectionType.Spice or ConnectionType.SpiceDirect && !domain.RemoteAccess)
        {
            await WaitAsync(await client.RemoteAccessAsync(id, true), options.PowerOnTimeout);
            domain = await client.GetDomainAsync(id);
        }

        var name = domain.VerboseName.Length > 0 ? domain.VerboseName : knownName;
        var controller = client.Host;
        var connection = protocol switch
        {
            ConnectionType.Spice => new VmConnectionData(controller, domain.RemoteAccessPort, await client.GetSpiceTokenAsync(id),
                domain.GraphicsPassword, name, controller),
            ConnectionType.SpiceDirect => new VmConnectionData(await NodeAddressAsync(domain), domain.RealRemoteAccessPort, null,
                domain.GraphicsPassword, name, controller),
            ConnectionType.Rdp or ConnectionType.NativeRdp => new VmConnectionData(await GuestAddressAsync(id), RdpPort, null, null, name, controller),
            ConnectionType.Loudplay => new VmConnectionData(await GuestAddressAsync(id), LoudplayPort, null, null, name, controller),
            _ => throw new BrokerException(ErrorKind.UnknownProtocol, $"Unknown connection type {protocol.ToWire()}.", "remote_protocol"),
        };
        return new Prepared(connection, domain);
    }

    private async Task<EcpTaskInfo> WaitAsync(Guid task, TimeSpan timeout)
    {
        try
        {
            return await client.WaitForTaskAsync(task, timeout);
        }
        catch (TimeoutException)
        {
            throw new BrokerException(ErrorKind.Timeout, "The VM did not start in time. Try again in 1 minute.");
        }
    }

    private async Task<string> GuestAddressAsync(Guid id)
    {
        var deadline = time.GetUtcNow() + options.AddressTimeout;
        while (true)
        {
            if ((await client.GetDomainAsync(id)).GuestAddress is { } address)
            {
                return address;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new BrokerException(ErrorKind.Timeout, "The controller didn`t provide a VM address. Try again in 1 minute.");
            }

            await Task.Delay(options.AddressPollInterval, time);
        }
    }

    private async Task<string> NodeAddressAsync(EcpDomain domain) =>
        domain.NodeId is { } node && await client.GetNodeAddressAsync(node) is { } address
            ? address
            : throw new BrokerException(ErrorKind.Timeout, "The controller didn`t provide the node address.");
}
