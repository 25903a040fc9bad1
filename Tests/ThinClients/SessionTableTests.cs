using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.ThinClients;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>
/// A session grain keeps no state besides its rows: what an activation on another silo reads back must be what the
/// session was (the VM in use drives the action after a disconnect).
/// </summary>
public sealed class SessionTableTests
{
    [Fact]
    public async Task A_session_read_back_from_its_rows_is_the_session_that_was_written()
    {
        var table = new SessionTable(TestDb.DataSource);
        var (id, user, vm, other) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var now = DateTimeOffset.UtcNow;
        // whole seconds (Postgres keeps microseconds), and an hour ahead: a running cluster's dead-session sweeper closes
        // open sessions whose data is older than its timeout, and must not close this one under the test
        var opened = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddHours(1);
        Assert.Null(await table.LoadAsync(id));

        await table.OpenAsync(id, new SessionInfo(user, "st-user", "1.14.9", "10.1.2.3", "Linux", "aa:bb", "desk-7", InitiatedByUser: false, "gw-1"), opened);
        var fresh = (await table.LoadAsync(id))!;
        Assert.Equal((user, "st-user", "1.14.9", "10.1.2.3", "Linux", "aa:bb", "desk-7", "gw-1"),
            (fresh.Info!.UserId, fresh.Info.Username, fresh.Info.VeilConnectVersion, fresh.Info.Ip, fresh.Info.Os, fresh.Info.MacAddress, fresh.Info.Hostname, fresh.Info.Gateway));
        Assert.Equal((opened, opened), (fresh.Connected, fresh.DataReceived));
        Assert.Null(fresh.LastInteraction);
        Assert.Null(fresh.LastVmId);
        Assert.False(fresh.VmConnected);
        Assert.Null(fresh.Disconnected);

        var connected = opened.AddMinutes(1);
        await table.VmConnectedAsync(id, new ClientEvent(ClientEventType.VmConnected, vm, "SPICE", true), successful: true, connected);
        await table.VmConnectedAsync(id, new ClientEvent(ClientEventType.VmConnectionError, other, "RDP", ErrorText: "refused"), successful: false, connected.AddSeconds(5));
        var inUse = (await table.LoadAsync(id))!;
        // a failed attempt at another VM leaves the VM in use in use
        Assert.Equal((vm, true), (inUse.LastVmId, inUse.VmConnected));
        Assert.Equal(connected.AddSeconds(5), inUse.DataReceived);

        await table.VmConnectedAsync(id, new ClientEvent(ClientEventType.VmConnected, other, "SPICE", true), successful: true, connected.AddSeconds(8));
        Assert.Equal((other, true), ((await table.LoadAsync(id))!.LastVmId, (await table.LoadAsync(id))!.VmConnected));
        await table.VmConnectedAsync(id, new ClientEvent(ClientEventType.VmConnected, vm, "SPICE", true), successful: true, connected.AddSeconds(10));
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_tk_vm_connections where session_id = @id and disconnected_from_vm is null", ("id", id))); // each new connection ended the one before
        await table.NetworkStatsAsync(id, new ClientEvent(ClientEventType.NetworkStats, vm, ReadSpeed: 100, WriteSpeed: 200, AvgRtt: 1.5, LossPercentage: 0), connected.AddSeconds(20));
        var again = (await table.LoadAsync(id))!;
        Assert.Equal((vm, true), (again.LastVmId, again.VmConnected));
        Assert.Equal(connected.AddSeconds(20), again.DataReceived);
        Assert.Equal(connected.AddSeconds(10), again.LastInteraction); // network statistics are not the user's doing

        await table.VmDisconnectedAsync(id, vm, connected.AddSeconds(30));
        Assert.False((await table.LoadAsync(id))!.VmConnected);
        await table.CloseAsync(id, connected.AddSeconds(40), SessionCloseReason.SocketClosed);
        Assert.Equal(connected.AddSeconds(40), (await table.LoadAsync(id))!.Disconnected);
        Assert.Equal("SOCKET_CLOSED", await TestDb.ScalarAsync<string>("select close_reason from vdi_tk_sessions where id = @id", ("id", id)));
    }
}
