using Vdi.Tests.Fixtures;
using Vdi.Grains.Pools;

namespace Vdi.Tests.Pools;

/// <summary>One outstanding state write at a time: what Orleans' ETag check needs in a grain whose calls interleave.</summary>
public sealed class SerializedWritesTests
{
    private sealed class FakeStorage
    {
        public int Running { get; private set; }
        public int MostAtOnce { get; private set; }
        public List<int> Stored { get; } = [];
        public int Value { get; set; }
        public Queue<TaskCompletionSource> Gates { get; } = new();

        public async Task WriteAsync()
        {
            Running++;
            MostAtOnce = Math.Max(MostAtOnce, Running);
            var snapshot = Value; // what Orleans serializes when the write starts
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Gates.Enqueue(gate);
            try
            {
                await gate.Task;
                Stored.Add(snapshot);
            }
            finally
            {
                Running--;
            }
        }
    }

    [Fact]
    public Task Writes_asked_for_while_one_runs_wait_and_then_run_once_with_every_change() => GrainTurns.RunAsync(async () =>
    {
        var storage = new FakeStorage();
        var writes = new SerializedWrites(storage.WriteAsync);
        storage.Value = 1;
        var first = writes.WriteAsync();
        storage.Value = 2;
        var second = writes.WriteAsync();
        storage.Value = 3;
        var third = writes.WriteAsync();
        Assert.Same(second, third);                 // both wait for one write after the running one
        Assert.Single(storage.Gates);

        storage.Gates.Dequeue().SetResult();
        await first;
        Assert.True(await Eventually.TrueAsync(() => Task.FromResult(storage.Gates.Count == 1), TimeSpan.FromSeconds(5)));
        storage.Gates.Dequeue().SetResult();
        await Task.WhenAll(second, third);

        Assert.Equal([1, 3], storage.Stored);       // the queued write stored the latest state
        Assert.Equal(1, storage.MostAtOnce);        // never two writes at once (the second would fail on its ETag)
    });

    [Fact]
    public Task A_failed_write_fails_its_callers_only_and_the_next_write_runs() => GrainTurns.RunAsync(async () =>
    {
        var calls = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = new SerializedWrites(async () =>
        {
            if (++calls == 1)
            {
                await gate.Task;
                throw new InvalidOperationException("storage down");
            }
        });
        var failing = writes.WriteAsync();
        var next = writes.WriteAsync();
        gate.SetResult();
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        await next;
        Assert.Equal(2, calls);
        await writes.WriteAsync(); // nothing running: starts at once
        Assert.Equal(3, calls);
    });
}
