using Orleans.Runtime;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.ThinClients;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.ThinClients;

/// <summary>A session whose grain's silo died is still closed once its client has been silent too long.</summary>
[Collection(ControllerCollection.Name)]
public sealed class SessionSweeperTests(TwoSiloClusterFixture fixture)
{
    private sealed class Socket : IThinClientObserver
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Sent { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<int> Closes { get; } = new();

        public Task SendAsync(string json)
        {
            Sent.Enqueue(json);
            return Task.CompletedTask;
        }

        public Task CloseAsync(int closeCode, string controlJson)
        {
            Closes.Enqueue(closeCode);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_session_re_activated_after_its_silos_death_reaches_its_socket_again_from_the_next_heartbeat()
    {
        var client = fixture.Client;
        var socket = new Socket();
        var observer = client.CreateObjectReference<IThinClientObserver>(socket);
        var session = client.GetGrain<IThinClientSessionGrain>(Guid.NewGuid());
        await session.OpenAsync(new SessionInfo(Guid.NewGuid(), $"fo-{Guid.NewGuid():N}"[..12], "1.14.9", "10.0.0.9", "Linux", "", "desk", false, "gw-test"), observer);

        var host = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(session);
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)));
        try
        {
            // the gateway's socket is still open and its heartbeat goes on (every 10 s): the activation it reaches on
            // the other silo takes the observer from it, and messages for the client get through again
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    Assert.True(await session.HeartbeatAsync(observer), "the re-activated session says it has ended");
                    await session.SendAsync("""{"msg_type":"text_message","message":"after the failover"}""");
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    return false; // the cluster has not yet declared the silo dead
                }

                return socket.Sent.Any(m => m.Contains("after the failover"));
            }, TimeSpan.FromSeconds(30)), "the re-activated session did not reach its socket");

            await session.DisconnectAsync();
            Assert.True(await Eventually.TrueAsync(() => Task.FromResult(socket.Closes.Contains(2000)), TimeSpan.FromSeconds(10)),
                "the administrator's DISCONNECT did not reach the socket");
        }
        finally
        {
            client.DeleteObjectReference<IThinClientObserver>(observer);
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }

    [Fact]
    public async Task The_sweeper_closes_a_silent_session_whose_silo_died()
    {
        var client = fixture.Client;
        var observer = client.CreateObjectReference<IThinClientObserver>(new Socket());
        var sessionId = Guid.NewGuid();
        var session = client.GetGrain<IThinClientSessionGrain>(sessionId);
        await session.OpenAsync(new SessionInfo(Guid.NewGuid(), $"sw-{Guid.NewGuid():N}"[..12], "1.14.9", "10.0.0.9", "Linux", "", "desk", false, "gw-test"), observer);
        Assert.True(await session.IsOpenAsync());

        var host = await client.GetGrain<IManagementGrain>(0).GetActivationAddress(session);
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos.Single(s => s.SiloAddress.Equals(host)));
        try
        {
            // the record says the client went quiet long ago (its refreshes stopped with the silo)
            await TestDb.ExecuteAsync($"update vdi_tk_sessions set data_received = now() - interval '10 minutes' where id = '{sessionId}'");
            var sweeper = client.GetGrain<ISessionSweeperGrain>(0);
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await sweeper.SweepAsync();
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    return false; // the client's gateway was on the dead silo
                }

                return await TestDb.ScalarAsync<long>("select count(*) from vdi_tk_sessions where id = @id and disconnected is not null", ("id", sessionId)) == 1;
            }, TimeSpan.FromSeconds(30)), "the orphaned session was not closed");
        }
        finally
        {
            client.DeleteObjectReference<IThinClientObserver>(observer);
            await fixture.Cluster.StartAdditionalSiloAsync();
        }
    }
}
