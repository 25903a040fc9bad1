using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Security;

namespace Vdi.Grains.Controllers;

/// <summary>
/// A controller's configuration: a registration or a change is checked (<see cref="ControllerRules"/>, and the
/// controller's version whenever the address or token is new), the token encrypted, and the result stored in the
/// grain's state and its <c>vdi_controllers</c> row (which reserves the name and address). Nothing stays half-written:
/// a refused row leaves the state as it was, a failed state write removes the new row.
/// </summary>
public sealed class ControllerConfigurator(EcpClientFactory clients, SecretProtector secrets, ControllerTable table, TimeProvider time, Version minimumVersion)
{
    /// <summary>Stores a new ACTIVE controller; the ECP version it runs.</summary>
    public async Task<string> RegisterAsync(Guid id, IPersistentState<ControllerState> state, ControllerRegistration registration)
    {
        var name = ControllerRules.Name(registration.VerboseName);
        var address = clients.RequireAllowed(ControllerRules.Address(registration.Address));
        var token = ControllerRules.Token(registration.Token);
        var description = ControllerRules.Description(registration.Description);
        var trust = ControllerTrust.Parse(registration.Tls);
        var version = await CheckVersionAsync(address, token, trust, fresh: trust != ControllerTrust.System);

        var now = time.GetUtcNow();
        var s = state.State;
        (s.VerboseName, s.Address, s.Description, s.Status, s.Version) = (name, address.ToString(), description, ControllerStatus.Active, version);
        (s.ProtectedToken, s.StatusReason, s.Created, s.Updated) = (secrets.ProtectControllerToken(token), null, now, now);
        s.Tls = trust == ControllerTrust.System ? null : trust.Tls;
        await table.UpsertAsync(id, s); // reserves the name and address, or throws Conflict
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await table.DeleteAsync(id);
            throw;
        }

        return version;
    }

    /// <summary>Stores the changes; true when the address or token changed (the connection was checked again).</summary>
    public async Task<bool> ChangeAsync(Guid id, IPersistentState<ControllerState> state, ControllerChanges changes, Func<string> currentToken)
    {
        var s = state.State;
        var name = changes.VerboseName is null ? s.VerboseName : ControllerRules.Name(changes.VerboseName);
        var description = changes.Description is null ? s.Description : ControllerRules.Description(changes.Description);
        var address = changes.Address is null ? ControllerRules.Address(s.Address) : clients.RequireAllowed(ControllerRules.Address(changes.Address));
        var token = changes.Token is null ? null : ControllerRules.Token(changes.Token);
        var moved = changes.Address is not null && address.ToString() != s.Address;
        if (moved && token is null)
        {
            // the stored integration key goes to no address it was not given for: a new address needs its key again
            throw BrokerException.Invalid("token", "token: a new address needs the controller's integration key again");
        }

        var current = ControllerTrust.Parse(s.Tls);
        var trust = changes.Tls is null ? current : ControllerTrust.Parse(changes.Tls);
        var trustChanged = trust.Tls != current.Tls;
        var reconnect = moved || token is not null || trustChanged;
        var version = reconnect
            ? await CheckVersionAsync(address, token ?? currentToken(), trust, fresh: trustChanged || trust != ControllerTrust.System)
            : s.Version;

        var before = (s.VerboseName, s.Address, s.Description, s.Version, s.ProtectedToken, s.Updated, s.Tls);
        (s.VerboseName, s.Description, s.Address, s.Version, s.Updated) = (name, description, address.ToString(), version, time.GetUtcNow());
        s.Tls = trust == ControllerTrust.System ? null : trust.Tls;
        if (token is not null)
        {
            s.ProtectedToken = secrets.ProtectControllerToken(token);
        }

        var rowWritten = false;
        try
        {
            await table.UpsertAsync(id, s);
            rowWritten = true;
            await state.WriteStateAsync();
        }
        catch
        {
            (s.VerboseName, s.Address, s.Description, s.Version, s.ProtectedToken, s.Updated, s.Tls) = before;
            if (rowWritten)
            {
                await table.UpsertAsync(id, s); // the row follows the state back (if the database answers again)
            }

            throw;
        }

        return reconnect;
    }

    /// <summary>
    /// The version at an address under a trust. A trust other than the host's store, or one that just changed, is
    /// checked over a connection of its own: the shared handler's pooled connections were accepted under another.
    /// </summary>
    private async Task<string> CheckVersionAsync(ControllerAddress address, string token, ControllerTrust trust, bool fresh)
    {
        if (!fresh)
        {
            return await CheckVersionAsync(clients.Create(address, token, trust));
        }

        var (client, lifetime) = clients.Probe(address, token, trust);
        using (lifetime)
        {
            return await CheckVersionAsync(client);
        }
    }

    /// <summary>The version a controller reports, if the broker supports it; its failures in the administrator's terms.</summary>
    public async Task<string> CheckVersionAsync(EcpClient client)
    {
        try
        {
            return ControllerRules.Version(await client.GetVersionAsync(), minimumVersion);
        }
        catch (EcpException e)
        {
            throw ControllerRules.VersionFailure(e);
        }
    }
}
