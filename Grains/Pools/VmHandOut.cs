namespace Vdi.Grains.Pools;

/// <summary>
/// How a pool hands out its free VMs while requests interleave (the pool grain's <c>TakeVmForUserAsync</c>): free
/// candidates come from SQL in batches, one refill query at a time serving every waiting request; each request is
/// promised a distinct candidate in memory and the candidate's VM grain confirms it is still free (a VM taken
/// meanwhile just says no, and the request tries the next); a user's second request (a double click, a retry) gets
/// the first one's answer. It runs on the grain's single-threaded scheduler, so it needs no lock.
/// </summary>
/// <param name="ownVm">The VM the user already has in the pool, if any.</param>
/// <param name="freeVms">Up to <c>limit</c> free VMs of the pool, leaving out those given (promised right now).</param>
/// <param name="tryTake">Asks a VM to become the user's; false when it is no longer free.</param>
public sealed class VmHandOut(
    Func<Guid, Task<Guid?>> ownVm,
    Func<int, IReadOnlyCollection<Guid>, Task<IReadOnlyList<Guid>>> freeVms,
    Func<Guid, Guid, Task<bool>> tryTake,
    int batch = 100)
{
    private readonly Queue<Guid> _candidates = new();
    private readonly HashSet<Guid> _promised = [];
    private readonly Dictionary<Guid, Task<(Guid? Vm, bool Own)>> _byUser = [];
    private readonly SharedRun<int> _refill = new();

    /// <summary>How many prefetched candidates are left (the pool checks its reserve when they run low).</summary>
    public int Prefetched => _candidates.Count;

    /// <summary>The user's VM and whether they had it already; null when none is free.</summary>
    public async Task<(Guid? Vm, bool Own)> TakeAsync(Guid userId)
    {
        if (_byUser.TryGetValue(userId, out var running))
        {
            return await running;
        }

        var take = TakeForAsync(userId);
        _byUser[userId] = take;
        try
        {
            return await take;
        }
        finally
        {
            _byUser.Remove(userId);
        }
    }

    /// <summary>Waits for the user's running request, if any (an administrator's assignment goes after it).</summary>
    public Task WaitForUserAsync(Guid userId) => _byUser.TryGetValue(userId, out var running) ? running : Task.CompletedTask;

    /// <summary>Forgets the prefetched candidates (VMs were freed, added or reserved: the next request asks SQL again).</summary>
    public void Invalidate() => _candidates.Clear();

    private async Task<(Guid? Vm, bool Own)> TakeForAsync(Guid userId)
    {
        if (await ownVm(userId) is { } own)
        {
            return (own, true);
        }

        while (await NextCandidateAsync() is { } candidate)
        {
            _promised.Add(candidate);
            bool taken;
            try
            {
                taken = await tryTake(candidate, userId);
            }
            finally
            {
                _promised.Remove(candidate);
            }

            if (taken)
            {
                return (candidate, false);
            }
        }

        return (null, false);
    }

    /// <summary>The next free VM not promised to another request; null when nothing is free besides what is being confirmed.</summary>
    private async Task<Guid?> NextCandidateAsync()
    {
        while (true)
        {
            while (_candidates.TryDequeue(out var id))
            {
                if (!_promised.Contains(id))
                {
                    return id;
                }
            }

            var found = await _refill.RunAsync(RefillAsync);
            if (found == 0 && _candidates.Count == 0)
            {
                return null;
            }
        }
    }

    private async Task<int> RefillAsync()
    {
        var ids = await freeVms(batch, [.. _promised]);
        foreach (var id in ids)
        {
            _candidates.Enqueue(id);
        }

        return ids.Count;
    }
}
