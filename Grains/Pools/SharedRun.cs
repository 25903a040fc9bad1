namespace Vdi.Grains.Pools;

/// <summary>
/// One run of an operation at a time inside a grain whose requests interleave: a caller that arrives while it runs
/// awaits the same run, the next caller after it starts a new one. Grain turns are single-threaded, so no lock.
/// </summary>
public sealed class SharedRun<T>
{
    private Task<T>? _running;

    public async Task<T> RunAsync(Func<Task<T>> start)
    {
        var run = _running ??= start();
        try
        {
            return await run;
        }
        finally
        {
            if (ReferenceEquals(_running, run))
            {
                _running = null;
            }
        }
    }
}
