using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;

namespace Vdi.Grains.Tasks;

/// <summary>
/// A task: its record (state + <c>vdi_tasks</c> + <c>/vdi_tasks/</c> live events) and its run. The run starts from a
/// one-shot timer so <see cref="StartAsync"/> returns at once; a reminder re-activates the task on a live silo if
/// its silo dies, and the run resumes from the runner's checkpoint.
/// </summary>
[GrainType("task")]
public sealed partial class TaskGrain(
    [PersistentState("task", StorageNames.Main)] IPersistentState<TaskState> state,
    TaskTable table,
    LiveEventPublisher live,
    JournalWriter journal,
    IEnumerable<ITaskRunner> runners,
    ControllerSessions controllers,
    Directories.DomainMembership membership,
    ILocalSiloDetails silo,
    Hosting.ReminderPeriods reminderPeriods,
    IOptions<TaskOptions> options,
    Hosting.BrokerMetrics metrics,
    TimeProvider time,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, IRemindable
{
    private const string ResumeReminder = "task-resume";

    private CancellationTokenSource? _cancellation;
    private IGrainTimer? _runTimer;
    private bool _running;
    private TaskView? _saved;
    private bool _cancelResumable;
    private string _cancelledBy = "system";

    private Guid Id => this.GetPrimaryKey();

    private TimeSpan ResumePeriod => reminderPeriods.AtLeastMinimum(options.Value.ResumePeriod);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && state.State.Status is BrokerTaskStatus.Initial or BrokerTaskStatus.InProgress)
        {
            ScheduleRun();
        }

        return Task.CompletedTask;
    }

    public async Task<TaskView> StartAsync(BrokerTaskRequest request)
    {
        if (state.RecordExists)
        {
            return state.State.ToView(Id);
        }

        state.State.Request = request;
        state.State.Status = BrokerTaskStatus.Initial;
        state.State.Created = time.GetUtcNow();
        state.State.Message = "Queued.";
        await this.RegisterOrUpdateReminder(ResumeReminder, ResumePeriod, ResumePeriod);
        await SaveAsync("CREATED");
        ScheduleRun();
        return state.State.ToView(Id);
    }

    public Task<string> GetHostAsync() => Task.FromResult(silo.SiloAddress.ToString());

    public async Task<bool> ForgetAsync(DateTimeOffset endedBefore)
    {
        if (!state.RecordExists)
        {
            await table.DeleteAsync(Id); // a row without its state (a restore, a half-done forget)
            DeactivateOnIdle();
            return true;
        }

        var s = state.State;
        var ended = s.Status is BrokerTaskStatus.Finished or BrokerTaskStatus.Failed || (s.Status is BrokerTaskStatus.Cancelled && !s.Resumable);
        if (!ended || _running || (s.Finished ?? s.Created) >= endedBefore)
        {
            return false;
        }

        await state.ClearStateAsync();
        await table.DeleteAsync(Id);
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
        return true;
    }

    /// <summary>
    /// What was last saved (state, row and live event): a read interleaved with a save never sees a status whose
    /// row is not written yet (nor one whose write then fails).
    /// </summary>
    public Task<TaskView?> GetAsync() => Task.FromResult(_saved ?? (state.RecordExists ? state.State.ToView(Id) : null));

    public async Task<TaskView?> CancelAsync(string user, bool resumable = false)
    {
        if (!state.RecordExists)
        {
            return null;
        }

        if (state.State.IsFinished)
        {
            return state.State.ToView(Id);
        }

        _cancelResumable = resumable;
        _cancelledBy = user;
        if (_cancellation is not null)
        {
            await _cancellation.CancelAsync(); // the run records CANCELLED when it stops
        }
        else if (!_running)
        {
            await FinishAsync(BrokerTaskStatus.Cancelled, $"Cancelled by {user}.", resumable);
        }
        else
        {
            _cancellation = new CancellationTokenSource();
            await _cancellation.CancelAsync();
        }

        return state.State.ToView(Id);
    }

    public async Task<TaskView?> ResumeAsync()
    {
        if (!state.RecordExists)
        {
            return null;
        }

        if (state.State.Status == BrokerTaskStatus.Cancelled && state.State.Resumable)
        {
            state.State.Status = BrokerTaskStatus.Initial;
            state.State.Finished = null;
            state.State.Attempts = 0;
            state.State.Message = "Resumed.";
            await this.RegisterOrUpdateReminder(ResumeReminder, ResumePeriod, ResumePeriod);
            await SaveAsync("UPDATED");
            ScheduleRun();
        }

        return state.State.ToView(Id);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.RecordExists && state.State.Status == BrokerTaskStatus.Cancelled && state.State.Resumable)
        {
            await ResumeIfControllerIsBackAsync();
            return;
        }

        if (!state.RecordExists || state.State.IsFinished)
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        ScheduleRun();
    }

    /// <summary>A paused task resumes by itself once its pool's controller is ACTIVE again.</summary>
    private async Task ResumeIfControllerIsBackAsync()
    {
        if (state.State.PoolId is not { } poolId || await GrainFactory.GetGrain<IPoolGrain>(poolId).GetAsync() is not { } pool)
        {
            return;
        }

        if (await GrainFactory.GetGrain<Interfaces.Controllers.IControllerGrain>(pool.ControllerId).GetAsync() is { Status: Interfaces.Controllers.ControllerStatus.Active })
        {
            await ResumeAsync();
        }
    }

    private static bool DatabaseUnavailable(Exception e) =>
        e is BrokerException { Kind: ErrorKind.DependencyUnavailable } || Hosting.DependencyFailureFilter.IsDatabaseFailure(e);

    private static bool ControllerUnavailable(Exception e) => e switch
    {
        EcpException ecp => ecp.MeansControllerDown || ecp.Kind == EcpErrorKind.Unauthorized,
        BrokerException b => b.Kind is ErrorKind.ControllerUnavailable or ErrorKind.ControllerUnreachable or ErrorKind.TokenRejected,
        _ => false,
    };

    private void ScheduleRun()
    {
        if (_running)
        {
            return;
        }

        _running = true;
        _runTimer?.Dispose();
        _runTimer = this.RegisterGrainTimer(_ => RunAsync(), new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private async Task RunAsync()
    {
        _cancellation ??= new CancellationTokenSource();
        var runner = runners.Single(r => r.Type == state.State.Request.Type);
        var context = new TaskContext(Id, state.State, () => SaveAsync("UPDATED"), GrainFactory, controllers, options.Value, time, _cancellation.Token)
        {
            Membership = membership,
        };
        try
        {
            _cancellation.Token.ThrowIfCancellationRequested();
            if (state.State.Attempts >= options.Value.MaxAttempts)
            {
                // each earlier run was cut short (a silo died, a write failed): retries are bounded, the task says why
                var giveUp = $"Failed: the task was interrupted {state.State.Attempts} times; giving up. Start it again when the cause is fixed.";
                LogFailed(Name, giveUp);
                await FinishAsync(BrokerTaskStatus.Failed, giveUp, resumable: false);
                return;
            }

            state.State.Attempts++;
            state.State.Status = BrokerTaskStatus.InProgress;
            state.State.Started ??= time.GetUtcNow();
            await SaveAsync("UPDATED");
            if (state.State.Progress == 0)
            {
                await journal.WriteAsync(Entry(JournalLevel.Info, $"Task {Name} started."));
            }

            var message = await runner.RunAsync(context);
            await FinishAsync(BrokerTaskStatus.Finished, message, resumable: false);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            var message = $"Cancelled by {_cancelledBy}.";
            await StopRunnerAsync(runner, context, BrokerTaskStatus.Cancelled, message);
            await FinishAsync(BrokerTaskStatus.Cancelled, message, _cancelResumable);
        }
        catch (Exception e) when (ControllerUnavailable(e))
        {
            // the controller is down or refuses the token: pause, resumable; its recovery (or our reminder) resumes
            var message = $"Paused: the controller is unavailable ({e.Message}). The task resumes when it is back.";
            LogPaused(Name, e.Message);
            await FinishAsync(BrokerTaskStatus.Cancelled, message, resumable: true);
        }
        catch (Exception e) when (DatabaseUnavailable(e))
        {
            // the database did not answer: pause, resumable; the reminder resumes it once the database (and the
            // controller) answer again. If even this cannot be written, the next activation runs it again (bounded).
            var message = "Paused: the broker's database did not answer. The task resumes by itself when it is back.";
            LogPaused(Name, e.GetType().Name);
            await FinishAsync(BrokerTaskStatus.Cancelled, message, resumable: true);
        }
        catch (Exception e) when (e is BrokerException or EcpException or TaskFailedException or TimeoutException)
        {
            LogFailed(Name, e.Message);
            await StopRunnerAsync(runner, context, BrokerTaskStatus.Failed, e.Message);
            await FinishAsync(BrokerTaskStatus.Failed, e.Message, resumable: false);
        }
        catch (Exception e) when (e is OrleansException)
        {
            // the cluster itself is in trouble (this silo is shutting down or dying, a silo it called died): not the
            // task's failure. The run is interrupted; the reminder runs it again here or elsewhere (bounded by MaxAttempts)
            LogFailed(Name, $"run {state.State.Attempts} of {options.Value.MaxAttempts} interrupted: {e.GetType().Name}");
            throw;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // a bug does not fix itself on a retry: the task ends FAILED with the reason, and its locks are released
            var message = $"Failed: unexpected error ({e.GetType().Name}: {e.Message}).";
            LogFailed(Name, message);
            await StopRunnerAsync(runner, context, BrokerTaskStatus.Failed, message);
            await FinishAsync(BrokerTaskStatus.Failed, message, resumable: false);
        }
        finally
        {
            foreach (var key in state.State.HeldLocks.ToList())
            {
                try
                {
                    await context.ReleaseAsync(key);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // the lock frees itself: a lock whose holder has finished is taken by the next task that asks
                    LogFailed(Name, $"releasing {key}: {e.GetType().Name}");
                }
            }

            _cancellation.Dispose();
            _cancellation = null;
            _running = false;
            _runTimer?.Dispose();
            _runTimer = null;
        }
    }

    private async Task StopRunnerAsync(ITaskRunner runner, TaskContext context, BrokerTaskStatus status, string message)
    {
        try
        {
            await runner.OnStoppedAsync(context, status, message);
        }
        catch (Exception e) when (e is BrokerException or EcpException or TaskFailedException)
        {
            LogFailed(Name, $"clean-up after {status}: {e.Message}");
        }
    }

    private async Task FinishAsync(BrokerTaskStatus status, string message, bool resumable)
    {
        state.State.Status = status;
        state.State.Message = message;
        state.State.Progress = 100;
        state.State.Finished = time.GetUtcNow();
        state.State.Resumable = status == BrokerTaskStatus.Cancelled && resumable;
        await SaveAsync("UPDATED");
        metrics.TaskFinished(Name, status.ToWire(), state.State.Finished - state.State.Started);
        if (state.State.Resumable)
        {
            return; // the reminder stays: it resumes the task when the controller is back
        }

        var level = status switch
        {
            BrokerTaskStatus.Failed => JournalLevel.Error,
            BrokerTaskStatus.Cancelled => JournalLevel.Warning,
            _ => JournalLevel.Info,
        };
        await journal.WriteAsync(Entry(level, $"Task {Name} {status.ToWire().ToLowerInvariant()}.", message));
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private async Task SaveAsync(string @event)
    {
        await state.WriteOrForgetAsync(this);
        var view = state.State.ToView(Id);
        await table.UpsertAsync(view, state.State.PoolId);
        _saved = view;
        await live.PublishAsync(LiveStreams.Tasks, @event, Id, new
        {
            view.Id,
            view.EntityId,
            task_type = view.Type.ToWire(),
            status = view.Status.ToWire(),
            view.Progress,
            view.Message,
            view.Creator,
            view.Created,
            view.Started,
            view.Finished,
            view.Resumable,
            view.Priority,
        });
    }

    private string Name => state.State.Request.Type.ToWire();

    private JournalEntry Entry(JournalLevel level, string message, string description = "") =>
        new(level, message, description,
            state.State.Request.IsDirectoryTask ? EntityType.Security : state.State.PoolId is null ? EntityType.Vm : EntityType.Pool,
            state.State.PoolId ?? state.State.Request.EntityId, state.State.Request.Creator);

    [LoggerMessage(EventId = LogEvents.TaskPaused, Level = LogLevel.Warning, Message = "Task {Name} paused, its controller is unavailable: {Reason}")]
    private partial void LogPaused(string name, string reason);

    [LoggerMessage(EventId = LogEvents.TaskFailed, Level = LogLevel.Warning, Message = "Task {Name} failed: {Reason}")]
    private partial void LogFailed(string name, string reason);
}
