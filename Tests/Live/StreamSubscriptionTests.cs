using Orleans.Runtime;
using Orleans.Streams;
using Vdi.Grains.Interfaces.Live;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Live;

[Collection(ClusterCollection.Name)]
public sealed class StreamSubscriptionTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Subscriptions_survive_their_rendezvous_being_reloaded_from_postgres()
    {
        var stream = fixture.Client.GetStreamProvider(LiveStreams.Provider)
            .GetStream<LiveEvent>(StreamId.Create(LiveStreams.Namespace, $"/tests/{Guid.NewGuid():N}/"));
        var first = new TaskCompletionSource<LiveEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<LiveEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var one = await stream.SubscribeAsync((e, _) => { first.TrySetResult(e); return Task.CompletedTask; });
        await stream.OnNextAsync(new LiveEvent("/tests/", "CREATED", Guid.NewGuid(), "{}"));
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // every idle activation goes, the stream's rendezvous among them: the next subscription reads its stored record
        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var two = await stream.SubscribeAsync((e, _) => { second.TrySetResult(e); return Task.CompletedTask; });
        var again = new LiveEvent("/tests/", "UPDATED", Guid.NewGuid(), "{}");
        await stream.OnNextAsync(again);

        Assert.Equal(again.Id, (await second.Task.WaitAsync(TimeSpan.FromSeconds(10))).Id);
        var handles = await stream.GetAllSubscriptionHandles();
        Assert.Equal(2, handles.Count);
        await one.UnsubscribeAsync();
        await two.UnsubscribeAsync();
    }
}
