using System.Text.Json;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Tasks;

namespace Vdi.Grains.Tasks;

/// <summary>What a runner gets from its task: the request, cancellation, progress, checkpoints, locks, controllers.</summary>
public sealed class TaskContext(
    Guid taskId,
    TaskState state,
    Func<Task> save,
    IGrainFactory grains,
    ControllerSessions controllers,
    TaskOptions options,
    TimeProvider time,
    CancellationToken cancellation)
{
    public Guid TaskId { get; } = taskId;

    public BrokerTaskRequest Request => state.Request;

    public CancellationToken Cancellation { get; } = cancellation;

    public IGrainFactory Grains { get; } = grains;

    public ControllerSessions Controllers { get; } = controllers;

    public TaskOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    /// <summary>The Active Directory VMs join and leave (the task's silo's service).</summary>
    public required Directories.DomainMembership Membership { get; init; }

    public async Task ReportAsync(int progress, string message)
    {
        state.Progress = Math.Clamp(progress, 0, 99);
        state.Message = message;
        await save();
    }

    public T Checkpoint<T>() where T : new() =>
        state.Checkpoint is { } json ? JsonSerializer.Deserialize<T>(json) ?? new T() : new T();

    public async Task SaveCheckpointAsync<T>(T checkpoint)
    {
        state.Checkpoint = JsonSerializer.Serialize(checkpoint);
        await save();
    }

    /// <summary>Waits until this task holds the lock (kept across a crash, released when the task ends).</summary>
    public async Task AcquireAsync(string key)
    {
        var lockGrain = Grains.GetGrain<IEntityLockGrain>(key);
        var waiting = false;
        while (!await lockGrain.TryAcquireAsync(TaskId))
        {
            if (!waiting)
            {
                waiting = true;
                await ReportAsync(state.Progress, "Waiting for another task of this pool or template to finish.");
            }

            await Task.Delay(Options.LockRetryInterval, Time, Cancellation);
        }

        if (!state.HeldLocks.Contains(key))
        {
            state.HeldLocks.Add(key);
            await save();
        }
    }

    public async Task ReleaseAsync(string key)
    {
        await Grains.GetGrain<IEntityLockGrain>(key).ReleaseAsync(TaskId);
        if (state.HeldLocks.Remove(key))
        {
            await save();
        }
    }

    /// <summary>Waits for a controller task; cancelling this task cancels the controller's task too.</summary>
    public async Task<EcpTaskInfo> WaitForControllerTaskAsync(EcpClient client, Guid ecpTask)
    {
        try
        {
            return await client.WaitForTaskAsync(ecpTask, Options.ControllerTaskTimeout, Cancellation);
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            try
            {
                await client.CancelTaskAsync(ecpTask, CancellationToken.None);
            }
            catch (EcpException)
            {
                // the controller may be the reason we were cancelled
            }

            throw;
        }
    }

    public static string PoolLock(Guid poolId) => $"pool/{poolId}";

    public static string TemplateLock(Guid templateId) => $"template/{templateId}";
}
