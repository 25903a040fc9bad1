namespace Vdi.Tests.Fixtures;

/// <summary>
/// Runs a test body the way a grain runs its calls: one turn at a time on one scheduler, with every continuation
/// back on it (classes built for a grain's scheduler take no locks, so a test must not run them on the thread pool).
/// </summary>
public static class GrainTurns
{
    public static Task RunAsync(Func<Task> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.None, new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler).Unwrap();
}
