namespace Vdi.Grains.Pools;

/// <summary>
/// One outstanding state write at a time in a grain whose requests interleave (as the Chirper sample guards its
/// reentrant grain). Orleans' storage compares ETags: a second write that starts before the first returned carries
/// the old ETag and fails. Here a write asked for while one runs waits for it and then runs once for everyone who
/// asked meanwhile, so it stores every change made before it was asked for. Grain turns are single-threaded: no lock.
/// </summary>
public sealed class SerializedWrites(Func<Task> write)
{
    private Task _last = Task.CompletedTask;
    private Task? _queued;

    public Task WriteAsync()
    {
        if (_queued is { } queued)
        {
            return queued; // not started yet: it will read the state as it is when it starts
        }

        return _last.IsCompleted ? _last = write() : _last = _queued = WriteAfterAsync(_last);
    }

    private async Task WriteAfterAsync(Task running)
    {
        try
        {
            await running;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // that write's callers see its failure; this one stores the state as it is now
        }

        _queued = null;
        await write();
    }
}
