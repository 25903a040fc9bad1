using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Security;

namespace Vdi.Grains.Controllers;

/// <summary>
/// ECP clients for silo code other than the controller grain (tasks, VM actions): it asks the controller grain for
/// the address and encrypted token, decrypts the token here, and tells the controller when a call failed so that
/// its status follows.
/// </summary>
public sealed class ControllerSessions(IGrainFactory grains, EcpClientFactory clients, SecretProtector secrets)
{
    public async Task<EcpClient> ConnectAsync(Guid controllerId)
    {
        var connection = await grains.GetGrain<IControllerGrain>(controllerId).GetConnectionAsync()
            ?? throw new ControllerException(ControllerErrorKind.NotFound, $"controller {controllerId} does not exist");
        if (connection.Status is not (ControllerStatus.Active or ControllerStatus.Creating))
        {
            throw new ControllerException(ControllerErrorKind.WrongStatus, $"the controller is {connection.Status.ToWire()}");
        }

        var token = secrets.UnprotectControllerToken(connection.ProtectedToken)
            ?? throw new ControllerException(ControllerErrorKind.BadAuth, "the controller's token cannot be decrypted");
        return ControllerAddress.TryParse(connection.Address, out var address, out _)
            ? clients.Create(address, token)
            : throw new ControllerException(ControllerErrorKind.Invalid, "the controller's address is invalid");
    }

    /// <summary>A call failed in a way that may mean the controller is down or the token is wrong: check it now.</summary>
    public Task ReportAsync(Guid controllerId, EcpException failure) =>
        failure.MeansControllerDown || failure.Kind == EcpErrorKind.Unauthorized
            ? grains.GetGrain<IControllerGrain>(controllerId).OnStreamLostAsync(failure.Message)
            : Task.CompletedTask;
}
