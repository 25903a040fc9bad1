using Vdi.Tests.Fixtures;
using Vdi.Grains.Pools;

namespace Vdi.Tests.Pools;

/// <summary>The pool's interleaved hand-out on its own: fake SQL and fake VM grains, requests released in chosen orders.</summary>
public sealed class VmHandOutTests
{
    /// <summary>A pool of free VMs: the refill query and the VMs' own "take me" answers, each held until released.</summary>
    private sealed class FakePool(int vms)
    {
        public List<Guid> Free { get; } = [.. Enumerable.Range(0, vms).Select(_ => Guid.NewGuid())];
        public Dictionary<Guid, Guid> Owners { get; } = [];
        public int Refills { get; private set; }
        public TaskCompletionSource? HoldTakes { get; set; }

        public VmHandOut HandOut(int batch = 100) => new(
            user => Task.FromResult(Owners.FirstOrDefault(o => o.Value == user) is { Key: var vm } && vm != Guid.Empty ? (Guid?)vm : null),
            async (limit, promised) =>
            {
                Refills++;
                await Task.Yield();
                return [.. Free.Where(v => !Owners.ContainsKey(v) && !promised.Contains(v)).Take(limit)];
            },
            async (vm, user) =>
            {
                if (HoldTakes is { } hold)
                {
                    await hold.Task;
                }

                return Owners.TryAdd(vm, user);
            },
            batch);
    }

    [Fact]
    public Task Concurrent_requests_get_distinct_vms_and_the_surplus_gets_none() => GrainTurns.RunAsync(async () =>
    {
        var pool = new FakePool(5) { HoldTakes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var handOut = pool.HandOut(batch: 2);
        var users = Enumerable.Range(0, 8).Select(_ => Guid.NewGuid()).ToList();
        var takes = users.Select(handOut.TakeAsync).ToList();
        pool.HoldTakes.SetResult();
        var results = await Task.WhenAll(takes);

        var given = results.Where(r => r.Vm is not null).Select(r => r.Vm!.Value).ToList();
        Assert.Equal(5, given.Count);
        Assert.Equal(5, given.Distinct().Count());
        Assert.Equal(3, results.Count(r => r.Vm is null));
        Assert.All(results, r => Assert.False(r.Own));
    });

    [Fact]
    public Task A_users_second_request_gets_the_first_ones_answer_and_a_returning_user_their_own_vm() => GrainTurns.RunAsync(async () =>
    {
        var pool = new FakePool(3) { HoldTakes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var handOut = pool.HandOut();
        var user = Guid.NewGuid();
        var first = handOut.TakeAsync(user);
        var second = handOut.TakeAsync(user);
        pool.HoldTakes.SetResult();
        Assert.Equal((await first).Vm, (await second).Vm);
        Assert.Single(pool.Owners);

        var again = await handOut.TakeAsync(user);
        Assert.Equal(((await first).Vm, true), (again.Vm, again.Own));
    });

    [Fact]
    public Task A_vm_taken_behind_the_pools_back_is_skipped() => GrainTurns.RunAsync(async () =>
    {
        var pool = new FakePool(2);
        var handOut = pool.HandOut();
        Assert.NotNull((await handOut.TakeAsync(Guid.NewGuid())).Vm); // prefetches both
        pool.Owners[pool.Free[1]] = Guid.NewGuid();                 // an administrator assigned the other one meanwhile
        Assert.Null((await handOut.TakeAsync(Guid.NewGuid())).Vm);
    });

    [Fact]
    public Task One_refill_serves_every_request_waiting_for_candidates() => GrainTurns.RunAsync(async () =>
    {
        var pool = new FakePool(50);
        var handOut = pool.HandOut(batch: 100);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => handOut.TakeAsync(Guid.NewGuid())));
        Assert.Equal(1, pool.Refills);
        Assert.Equal(30, handOut.Prefetched);

        handOut.Invalidate();
        Assert.Equal(0, handOut.Prefetched);
    });
}
