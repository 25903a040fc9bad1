using System.Collections.Concurrent;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Security;

namespace Vdi.Grains.Controllers;

/// <summary>
/// ECP clients for silo code other than the controller grain (tasks, VM actions): it asks the controller grain for
/// the address and encrypted token (an interleaved read from memory), decrypts the token here once per token, and
/// tells the controller when a call failed so that its status follows.
/// </summary>
public sealed class ControllerSessions(IGrainFactory grains, EcpClientFactory clients, SecretProtector secrets)
{
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>A client for an ACTIVE (or CREATING) controller; any other status is <see cref="ErrorKind.ControllerUnavailable"/>.</summary>
    public async Task<EcpClient> ConnectAsync(Guid controllerId)
    {
        var connection = await grains.GetGrain<IControllerInternalGrain>(controllerId).GetConnectionAsync()
            ?? throw new BrokerException(ErrorKind.ControllerUnavailable, $"controller {controllerId} does not exist");
        if (connection.Status is not (ControllerStatus.Active or ControllerStatus.Creating))
        {
            throw new BrokerException(ErrorKind.ControllerUnavailable, $"the controller is {connection.Status.ToWire()}");
        }

        if (!_tokens.TryGetValue(connection.ProtectedToken, out var token))
        {
            token = secrets.UnprotectControllerToken(connection.ProtectedToken)
                ?? throw new BrokerException(ErrorKind.ControllerUnavailable, "the controller's token cannot be decrypted");
            _tokens[connection.ProtectedToken] = token;
        }

        return clients.Create(ControllerRules.Address(connection.Address), token, clients.Trust.Resolve(connection.Tls));
    }

    /// <summary>A call failed in a way that may mean the controller is down or the token is wrong: check it now.</summary>
    public Task ReportAsync(Guid controllerId, EcpException failure) =>
        failure.MeansControllerDown || failure.Kind == EcpErrorKind.Unauthorized
            ? grains.GetGrain<IControllerInternalGrain>(controllerId).OnStreamLostAsync(failure.Message)
            : Task.CompletedTask;
}
