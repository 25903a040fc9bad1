using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Journal;
using Vdi.Grains.Pools;
using Vdi.Grains.Vms.Policies;

namespace Vdi.Grains.Vms;

/// <summary>
/// One VM's power policies (§6, the original's VM manager): keep-on's reaction to a power event, and the action after
/// a user's disconnect: scheduled durably when the user leaves (<see cref="DisconnectAlarm"/>), cancelled when they
/// are back, carried out at the deadline as <see cref="DisconnectPolicy"/> plans it. The VM grain owns the state and
/// its writes and calls this on its own scheduler; the rules themselves are the pure policies.
/// </summary>
/// <param name="save">Writes the VM's state and projection (with its owners when true).</param>
/// <param name="write">Writes the VM's state only (the pending action is no column of the projection).</param>
public sealed partial class VmPowerPolicies(
    Grain grain,
    IGrainFactory grains,
    Func<VmState> vm,
    Func<bool, Task> save,
    Func<Task> write,
    ControllerSessions controllers,
    JournalWriter journal,
    ReminderPeriods periods,
    TimeSpan powerWait,
    BrokerMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    private DisconnectAlarm? _alarm;

    private DisconnectAlarm Alarm => _alarm ??= new DisconnectAlarm(grain, periods, time, OnDeadlineAsync);

    private Guid Id => grain.GetPrimaryKey();

    private VmState S => vm();

    /// <summary>An activation that finds an action pending starts its timer (the reminder is registered already).</summary>
    public void Resume()
    {
        if (S.PendingDisconnect is { } pending)
        {
            Alarm.StartTimer(pending);
        }
    }

    /// <summary>Keep-on's reaction to a power event: an assigned VM of a keep-on pool that went off is started again.</summary>
    public async Task ReactToPowerAsync()
    {
        if (S.PoolId is not { } poolId || S.Owners.Count == 0 || S.PowerState is not (PowerState.Off or PowerState.Suspended))
        {
            return;
        }

        var pool = await grains.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync();
        if (pool is null || !KeepOnPolicy.ShouldStart(pool.KeepVmsOn, S.Owners.Count, S.Status, S.PowerState, S.HeldOff))
        {
            return;
        }

        try
        {
            var client = await controllers.ConnectAsync(S.ControllerId);
            await client.PowerAsync(Id, S.PowerState == PowerState.Suspended ? PowerAction.Resume : PowerAction.Start, force: false);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info, $"VM {S.VerboseName} was started: its pool keeps assigned VMs on.", "", EntityType.Vm, Id));
        }
        catch (Exception e) when (e is EcpException or BrokerException)
        {
            LogKeepOnFailed(Id, e.Message); // the 60 s reconciliation tries again
        }
    }

    /// <summary>The user is back for this VM: what was waiting for their absence no longer applies.</summary>
    public async Task UserIsBackAsync()
    {
        if (S.PendingDisconnect is null && !S.HeldOff)
        {
            return;
        }

        S.PendingDisconnect = null;
        S.HeldOff = false;
        await save(false);
        await Alarm.DisarmAsync();
    }

    /// <param name="grace">Zero when the client said it left the VM; otherwise its socket went away and may come back.</param>
    public async Task UserLeftAsync(Guid userId, TimeSpan grace)
    {
        if (S.PoolId is not { } poolId)
        {
            return;
        }

        var pool = await grains.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync();
        if (DisconnectPolicy.Schedule(pool, userId, time.GetUtcNow(), grace) is not { } pending)
        {
            return;
        }

        S.PendingDisconnect = pending;
        await write();
        await Alarm.ArmAsync(pending);
    }

    /// <summary>The durable reminder fired: act if the deadline has come, wait for it if woken early, forget a stale one.</summary>
    public async Task OnReminderAsync(bool vmExists)
    {
        if (!vmExists || S.PendingDisconnect is not { } pending)
        {
            await Alarm.DisarmAsync();
            return;
        }

        var now = time.GetUtcNow();
        if (DisconnectPolicy.Remaining(pending, now) > TimeSpan.FromMilliseconds(500))
        {
            await Alarm.ArmAsync(pending); // woken early (a retry tick, or a clock that disagrees): wait for the deadline itself
            return;
        }

        await ApplyAsync(pending, now);
    }

    private async Task OnDeadlineAsync(Guid pendingId)
    {
        if (S.PendingDisconnect is { } pending && pending.Id == pendingId)
        {
            await ApplyAsync(pending, time.GetUtcNow());
        }
    }

    private async Task ApplyAsync(PendingDisconnect pending, DateTimeOffset firedAt)
    {
        // evidence decides: a session of the user's that reports the VM now (a client that came back on another socket
        // or gateway before the old session was reaped) means the user is in it. A failure to ask is no licence to
        // act: it throws, and the reminder's next tick asks again.
        if (await grains.GetGrain<IUserSessionsGrain>(pending.UserId).SessionInVmAsync(Id) is { } session)
        {
            S.PendingDisconnect = null;
            await write();
            await Alarm.DisarmAsync();
            metrics.DisconnectAction("none", "user_present", firedAt - pending.Deadline);
            await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
                $"Action upon user disconnect cancelled: the user is still connected to VM {S.VerboseName}.",
                $"User id: {pending.UserId}. Session: {session}. Deadline: {pending.Deadline:O}.", EntityType.Vm, Id));
            return;
        }

        var pool = S.PoolId is { } poolId ? await grains.GetGrain<IPoolInternalGrain>(poolId).GetVmPolicyAsync() : null;
        if (pool is null)
        {
            S.PendingDisconnect = null;
            await write();
            await Alarm.DisarmAsync();
            return;
        }

        var plan = DisconnectPolicy.Plan(pool, pending, S.Owners, S.PowerState);
        var results = new List<string>();
        if (plan.Recreate)
        {
            // the VM leaves service before the task that replaces it exists (the task id is the wait's: started once)
            S.Owners.Clear();
            S.Status = VmStatus.Deleting;
            await save(true);
            await grains.GetGrain<ITaskGrain>(pending.Id).StartAsync(new BrokerTaskRequest
            {
                Type = BrokerTaskType.VmGuestRecreation,
                EntityId = Id,
                PoolId = S.PoolId,
                Creator = "system",
            });
            results.Add("recreation started");
        }

        var freed = plan.FreeUser && S.Owners.Remove(pending.UserId);
        if (freed)
        {
            results.Add("freed from the user");
        }

        if (plan.Power is { } step)
        {
            // a controller that cannot be reached is an error: the reminder's next tick tries again
            var client = await controllers.ConnectAsync(S.ControllerId);
            var outcome = await client.WaitForTaskAsync(await client.PowerAsync(Id, step.Action, step.Force), powerWait);
            var action = step.Action.ToWireLower();
            results.Add(outcome.Succeeded ? $"{action}{(step.Force ? " (forced)" : "")} done" : $"{action} failed: {outcome.Error ?? outcome.Status}");
        }

        S.HeldOff = DisconnectPolicy.HoldsPowerOff(plan, S.Owners);
        S.PendingDisconnect = null;
        await save(freed);
        await Alarm.DisarmAsync();
        var result = results.Count == 0 ? "nothing to do" : string.Join(", ", results);
        metrics.DisconnectAction(plan.Action.ToString(), "done", firedAt - pending.Deadline);
        await journal.WriteAsync(new JournalEntry(JournalLevel.Info,
            $"Action upon user disconnect completed. Action: {plan.Action.ToWire()}. VM: {S.VerboseName}. Result: {result}.",
            $"User id: {pending.UserId}. Deadline: {pending.Deadline:O}. Fired: {firedAt:O}.", EntityType.Vm, Id));
    }

    [LoggerMessage(EventId = LogEvents.VmKeepOnFailed, Level = LogLevel.Information, Message = "Keep-on could not start VM {Vm}: {Reason}")]
    private partial void LogKeepOnFailed(Guid vm, string reason);
}
