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
        public Task SendAsync(string json) => Task.CompletedTask;

        public Task CloseAsync(int closeCode, string controlJson) => Task.CompletedTask;
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
