using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.Vms;
using Microsoft.Extensions.Options;
using Vdi.Grains.Live;

namespace Vdi.Grains.Vms;

[GrainType("vm")]
public sealed class VmGrain(
    [PersistentState("vm", StorageNames.Main)] IPersistentState<VmState> state,
    VmTable table,
    LiveEventPublisher live,
    ControllerSessions controllers,
    IOptionsMonitor<EcpClientOptions> ecpOptions,
    TimeProvider time) : Grain, IVmGrain
{
    private Guid Id => this.GetPrimaryKey();

    public async Task<VmView> AttachAsync(VmAttachment attachment)
    {
        if (string.IsNullOrWhiteSpace(attachment.VerboseName))
        {
            throw new ArgumentException("verbose_name must not be empty", nameof(attachment));
        }

        var s = state.State;
        if (!state.RecordExists)
        {
            s.Status = VmStatus.Active;
        }

        s.ControllerId = attachment.ControllerId;
        s.PoolId = attachment.PoolId;
        s.VerboseName = attachment.VerboseName.Trim();
        s.PowerState = attachment.PowerState;
        s.CreatedByBroker = attachment.CreatedByBroker;
        await SaveAsync("CREATED");
        return s.ToView(Id);
    }

    public Task<VmView?> GetAsync() => Task.FromResult(state.RecordExists ? state.State.ToView(Id) : null);

    public async Task ApplyDomainChangeAsync(DomainChange change)
    {
        if (!state.RecordExists || change.ControllerId != state.State.ControllerId)
        {
            return; // not a VM of the broker's, or an event from a controller it no longer belongs to
        }

        var s = state.State;
        var changed = false;
        if (change.Event == "DELETED")
        {
            changed = s.Status != VmStatus.Failed || s.PowerState != PowerState.Undefined;
            s.Status = VmStatus.Failed;
            s.PowerState = PowerState.Undefined;
        }

        if (change.PowerState is { } power && power != s.PowerState)
        {
            s.PowerState = power;
            changed = true;
        }

        if (!string.IsNullOrWhiteSpace(change.VerboseName) && change.VerboseName != s.VerboseName)
        {
            s.VerboseName = change.VerboseName;
            changed = true;
        }

        if (changed)
        {
            await SaveAsync("UPDATED");
        }
    }

    public async Task FollowControllerAsync(ControllerStatus status)
    {
        if (!state.RecordExists || state.State.Status is VmStatus.Reserved or VmStatus.Deleting or VmStatus.Creating)
        {
            return;
        }

        var next = status switch
        {
            ControllerStatus.Active => VmStatus.Active,
            ControllerStatus.Failed or ControllerStatus.BadAuth => VmStatus.Failed,
            ControllerStatus.Service => VmStatus.Service,
            _ => state.State.Status,
        };
        if (next != state.State.Status)
        {
            state.State.Status = next;
            await SaveAsync("UPDATED");
        }
    }

    public async Task<VmView> SetStatusAsync(VmStatus status)
    {
        RequireExists();
        if (state.State.Status != status)
        {
            state.State.Status = status;
            await SaveAsync("UPDATED");
        }

        return state.State.ToView(Id);
    }

    public async Task<VmView> AddOwnerAsync(Guid userId)
    {
        RequireExists();
        if (state.State.Owners.Add(userId))
        {
            await SaveAsync("UPDATED");
            await SaveOwnersAsync();
        }

        return state.State.ToView(Id);
    }

    public async Task<VmView> RemoveOwnerAsync(Guid userId)
    {
        RequireExists();
        if (state.State.Owners.Remove(userId))
        {
            await SaveAsync("UPDATED");
            await SaveOwnersAsync();
        }

        return state.State.ToView(Id);
    }

    public async Task<VmView> PowerAsync(string action, bool force)
    {
        RequireExists();
        if (action is not ("start" or "shutdown" or "reboot" or "suspend" or "resume"))
        {
            throw new ArgumentException($"action must be start, shutdown, reboot, suspend or resume, not '{action}'", nameof(action));
        }

        var controllerId = state.State.ControllerId;
        var client = await controllers.ConnectAsync(controllerId);
        try
        {
            var task = await client.PowerAsync(Id, action, force);
            var result = await client.WaitForTaskAsync(task, ecpOptions.CurrentValue.AttemptTimeout * 4);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"the controller could not {action} the VM: {result.Error ?? result.Status}");
            }

            var domain = await client.GetDomainAsync(Id);
            if (domain.TryGetProperty("user_power_state", out var p) && p.TryGetInt32(out var power) && (PowerState)power != state.State.PowerState)
            {
                state.State.PowerState = (PowerState)power;
                await SaveAsync("UPDATED");
            }
        }
        catch (EcpException e)
        {
            await controllers.ReportAsync(controllerId, e);
            throw new InvalidOperationException($"the controller could not {action} the VM: {e.Message}");
        }

        return state.State.ToView(Id);
    }

    public async Task ForgetAsync()
    {
        if (!state.RecordExists)
        {
            return;
        }

        await state.ClearStateAsync();
        await table.DeleteAsync(Id);
        await live.PublishAsync(LiveStreams.Domains, "DELETED", Id, new { id = Id });
        DeactivateOnIdle();
    }

    private Task SaveOwnersAsync() => state.State.PoolId is { } pool
        ? table.SetOwnersAsync(Id, pool, state.State.Owners)
        : Task.CompletedTask;

    private void RequireExists()
    {
        if (!state.RecordExists)
        {
            throw new KeyNotFoundException($"the broker does not know VM {Id}");
        }
    }

    private async Task SaveAsync(string @event)
    {
        state.State.Updated = time.GetUtcNow();
        await state.WriteStateAsync();
        await table.UpsertAsync(Id, state.State);
        var view = state.State.ToView(Id);
        await live.PublishAsync(LiveStreams.Domains, @event, Id, new
        {
            view.Id,
            view.ControllerId,
            view.PoolId,
            view.VerboseName,
            status = view.Status.ToString().ToUpperInvariant(),
            user_power_state = (int)view.PowerState,
        });
    }
}
