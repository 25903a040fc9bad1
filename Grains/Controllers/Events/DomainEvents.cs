using System.Text.Json;
using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Controllers.Events;

/// <summary>
/// Turns a controller's <c>/domains/</c> messages into changes of the VM grains they are about: in order for each VM,
/// but never one VM behind another (a VM grain busy with a slow call holds up only its own events). At most
/// <paramref name="maxInFlight"/> VMs' changes are in flight; beyond that the stream waits (back-pressure, not an
/// unbounded queue when the cluster is slow).
/// </summary>
public sealed partial class DomainEvents(IGrainFactory grains, Guid controllerId, ILogger logger, int maxInFlight = 256)
{
    private readonly Dictionary<Guid, Task> _tails = [];
    private readonly SemaphoreSlim _inFlight = new(maxInFlight);

    /// <summary>Returns once the change is queued behind the same VM's earlier ones (not once it is applied).</summary>
    public async Task DispatchAsync(JsonElement message)
    {
        if (EcpDomainEvent.Parse(message) is not { } e)
        {
            return;
        }

        await _inFlight.WaitAsync();
        Task tail;
        lock (_tails)
        {
            tail = ApplyAfterAsync(_tails.GetValueOrDefault(e.Id, Task.CompletedTask), e);
            _tails[e.Id] = tail;
        }

        _ = tail.ContinueWith(done =>
        {
            lock (_tails)
            {
                if (_tails.TryGetValue(e.Id, out var current) && current == done)
                {
                    _tails.Remove(e.Id);
                }
            }

            _inFlight.Release();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ApplyAfterAsync(Task previous, EcpDomainEvent e)
    {
        await previous; // never faults: each change catches its own failure
        try
        {
            await grains.GetGrain<IVmInternalGrain>(e.Id).ApplyDomainChangeAsync(new DomainChange(controllerId, e.Event, e.VerboseName, e.PowerState, null));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogApplyFailed(e.Id, ex.GetType().Name); // the next event or keep-on's periodic check brings the VM up to date
        }
    }

    [LoggerMessage(EventId = LogEvents.StreamEventNotApplied, Level = LogLevel.Warning, Message = "A controller event for VM {Vm} could not be applied ({Error})")]
    private partial void LogApplyFailed(Guid vm, string error);
}
