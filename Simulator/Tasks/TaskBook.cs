using System.Collections.Concurrent;
using Vdi.Simulator.Events;

namespace Vdi.Simulator.Tasks;

/// <summary>Creates, runs, cancels and reports ECP tasks; every status change is a <c>/tasks/</c> event.</summary>
public sealed class TaskBook(TimeProvider time, EventHub hub, EventLog log)
{
    private readonly ConcurrentDictionary<Guid, SimTask> _tasks = new();

    public SimTask? Get(Guid id) => _tasks.GetValueOrDefault(id);

    public IReadOnlyList<SimTask> List(Guid? parent, string? status) =>
        [.. _tasks.Values
            .Where(t => parent is null || t.ParentId == parent)
            .Where(t => status is null || t.Status == status)
            .OrderBy(t => t.Created)];

    public SimTask Create(string name, Dictionary<Guid, string>? entities = null, Guid? parent = null)
    {
        var task = new SimTask { Id = Guid.NewGuid(), Name = name, ParentId = parent, Created = time.GetUtcNow(), Entities = entities ?? [] };
        _tasks[task.Id] = task;
        Changed(task, "CREATED");
        return task;
    }

    /// <summary>Runs <paramref name="work"/> after <paramref name="delay"/>; its result decides SUCCESS or FAILED.</summary>
    public SimTask Start(string name, Dictionary<Guid, string> entities, TimeSpan delay, Func<string?> work)
    {
        var task = Create(name, entities);
        _ = RunAsync(task, async ct =>
        {
            await Task.Delay(delay, time, ct);
            return work();
        });
        return task;
    }

    /// <summary>Runs a long operation that reports its own progress; returns an error message or null.</summary>
    public SimTask Run(string name, Dictionary<Guid, string> entities, Func<SimTask, CancellationToken, Task<string?>> work)
    {
        var task = Create(name, entities);
        _ = RunAsync(task, ct => work(task, ct));
        return task;
    }

    public void SetProgress(SimTask task, int progress)
    {
        task.Progress = progress;
        Changed(task, "UPDATED");
    }

    public void Finish(SimTask task, string? error)
    {
        lock (task)
        {
            if (task.IsFinished)
            {
                return;
            }

            task.Status = error is null ? SimTask.Success : SimTask.Failed;
            task.ErrorMessage = error;
            task.Progress = 100;
            task.Executed = time.GetUtcNow();
        }

        Changed(task, "UPDATED");
        log.Add(error is null ? 0 : 2, error is null ? $"Task \"{task.Name}\" completed." : $"Task \"{task.Name}\" failed.", error ?? "", "vdi-integration");
    }

    public bool Cancel(Guid id)
    {
        if (!_tasks.TryGetValue(id, out var task))
        {
            return false;
        }

        lock (task)
        {
            if (task.IsFinished)
            {
                return true;
            }

            task.Status = SimTask.Cancelled;
            task.Executed = time.GetUtcNow();
        }

        task.Cancellation.Cancel();
        foreach (var child in _tasks.Values.Where(t => t.ParentId == id))
        {
            Cancel(child.Id);
        }

        Changed(task, "UPDATED");
        return true;
    }

    private async Task RunAsync(SimTask task, Func<CancellationToken, Task<string?>> work)
    {
        await Task.Yield();
        try
        {
            Finish(task, await work(task.Cancellation.Token));
        }
        catch (OperationCanceledException) when (task.Cancellation.IsCancellationRequested)
        {
            // already marked CANCELLED by Cancel
        }
        catch (Exception e)
        {
            Finish(task, e.Message);
        }
    }

    private void Changed(SimTask task, string @event) => hub.Publish("/tasks/", @event, task.Id, task.ToJson());
}
