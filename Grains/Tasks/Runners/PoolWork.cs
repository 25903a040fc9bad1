using Vdi.Grains.Directories;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Pools;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>The steps shared by the pool tasks: cloning in batches, preparing, deleting on the controller.</summary>
public static class PoolWork
{
    public const int MaxBatch = 100;

    public static async Task<PoolView> LoadPoolAsync(TaskContext ctx, Guid poolId) =>
        await ctx.Grains.GetGrain<IPoolGrain>(poolId).GetAsync()
        ?? throw new BrokerException(ErrorKind.NotFound, $"pool {poolId} does not exist");

    /// <summary>Plans <paramref name="count"/> clones once, then creates them batch by batch (resumable).</summary>
    public static async Task<CloneCheckpoint> CloneAsync(TaskContext ctx, PoolView pool, int count, int progressFrom, int progressTo)
    {
        var cp = ctx.Checkpoint<CloneCheckpoint>();
        if (!cp.Planned)
        {
            var size = pool.CreateThinClones ? MaxBatch : 1;
            cp.Batches = [.. Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).Chunk(size)
                .Select(ids => new CloneBatch { Ids = [.. ids], IdempotencyKey = Guid.NewGuid() })];
            cp.Planned = true;
            await ctx.SaveCheckpointAsync(cp);
        }

        if (cp.Batches.All(b => b.Done))
        {
            return cp;
        }

        var template = pool.TemplateId ?? throw new BrokerException(ErrorKind.Invalid, "the pool has no template", "template_id");
        await ctx.AcquireAsync(TaskContext.TemplateLock(template));
        var client = await ctx.Controllers.ConnectAsync(pool.ControllerId);
        try
        {
            var done = cp.Batches.Count(b => b.Done);
            foreach (var batch in cp.Batches.Where(b => !b.Done))
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                if (batch.ControllerTaskId is null)
                {
                    batch.ControllerTaskId = pool.CreateThinClones
                        ? await client.MultiCreateAsync(template, pool.VmNameTemplate!, pool.ResourcePoolId!.Value, batch.Ids, batch.IdempotencyKey, ctx.Cancellation)
                        : await client.CloneAsync(template, $"{pool.VmNameTemplate}-{Guid.NewGuid().ToString("N")[..6]}", pool.ResourcePoolId!.Value, batch.Ids[0], batch.IdempotencyKey, ctx.Cancellation);
                    await ctx.SaveCheckpointAsync(cp);
                }

                EcpTaskInfo result;
                try
                {
                    result = await ctx.WaitForControllerTaskAsync(client, batch.ControllerTaskId.Value);
                }
                catch (OperationCanceledException) when (ctx.Cancellation.IsCancellationRequested)
                {
                    // the clones made before the cancel belong to the pool: never leave VMs behind on the controller
                    await AttachCreatedAsync(ctx, client, pool, batch, CancellationToken.None);
                    await ctx.SaveCheckpointAsync(cp);
                    throw;
                }

                await AttachCreatedAsync(ctx, client, pool, batch, ctx.Cancellation);
                batch.CreatedIds = [.. batch.CreatedIds.Distinct()];
                batch.Error = result.Succeeded ? null : result.Error ?? result.Status;
                batch.Done = true;
                done++;
                await ctx.SaveCheckpointAsync(cp);
                await ctx.ReportAsync(progressFrom + (progressTo - progressFrom) * done / cp.Batches.Count,
                    $"Created {cp.CreatedIds.Count()} of {cp.PlannedCount} VMs.");
                if (batch.Error is not null)
                {
                    break; // a partial failure keeps the good VMs and stops creating
                }
            }
        }
        catch (EcpException e)
        {
            await ctx.Controllers.ReportAsync(pool.ControllerId, e);
            throw;
        }
        finally
        {
            await ctx.ReleaseAsync(TaskContext.TemplateLock(template));
        }

        return cp;
    }

    private static async Task AttachCreatedAsync(TaskContext ctx, EcpClient client, PoolView pool, CloneBatch batch, CancellationToken ct)
    {
        var created = await client.GetDomainsAsync(batch.Ids, "id,verbose_name,user_power_state", ct);
        foreach (var domain in created)
        {
            var id = domain.Id;
            await ctx.Grains.GetGrain<IVmInternalGrain>(id).AttachAsync(new VmAttachment(pool.ControllerId, pool.Id,
                domain.VerboseName.Length > 0 ? domain.VerboseName : id.ToString(), domain.PowerState, CreatedByBroker: true));
            batch.CreatedIds.Add(id);
        }

        await ctx.Grains.GetGrain<IPoolInternalGrain>(pool.Id).TagVmsAsync([.. created.Select(d => d.Id)]);
    }

    /// <summary>Prepares VMs (full: remote access, power on, hostname as the pool says; light: remote access only).</summary>
    public static async Task PrepareAsync(TaskContext ctx, PoolView pool, IReadOnlyList<Guid> vmIds, bool full, int progressFrom, int progressTo)
    {
        var cp = ctx.Checkpoint<CloneCheckpoint>();
        var todo = vmIds.Except(cp.Prepared).ToList();
        if (todo.Count == 0)
        {
            return;
        }

        var client = await ctx.Controllers.ConnectAsync(pool.ControllerId);
        // the original joins an automated pool's VMs (never a guest pool's) when an Active Directory is there
        var join = full && pool.IncludeVmsInAd && pool.PoolType == PoolType.Automated ? await ctx.Membership.JoinAsync(pool.AdOu) : null;
        var gate = new SemaphoreSlim(Math.Max(1, ctx.Options.PrepareParallelism));
        var failures = new List<string>();
        try
        {
            await Task.WhenAll(todo.Select(async id =>
            {
                await gate.WaitAsync(ctx.Cancellation);
                try
                {
                    var task = full
                        ? await client.PrepareAsync(id, pool.EnableVmsRemoteAccess, pool.StartVms, pool.SetVmsHostnames, join, ctx.Cancellation)
                        : await client.RemoteAccessAsync(id, true, ctx.Cancellation);
                    var result = await ctx.WaitForControllerTaskAsync(client, task);
                    lock (failures)
                    {
                        if (result.Succeeded)
                        {
                            cp.Prepared.Add(id);
                        }
                        else
                        {
                            failures.Add($"{id}: {result.Error ?? result.Status}");
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        catch (EcpException e)
        {
            await ctx.Controllers.ReportAsync(pool.ControllerId, e);
            throw;
        }
        finally
        {
            await ctx.SaveCheckpointAsync(cp);
        }

        await ctx.ReportAsync(progressTo, $"Prepared {cp.Prepared.Count} VMs.");
        if (failures.Count > 0)
        {
            throw new TaskFailedException($"{failures.Count} VMs could not be prepared: {string.Join("; ", failures.Take(3))}");
        }
    }

    /// <summary>
    /// Deletes VMs on the controller (multi-manager, in batches) and forgets them; first, when the request says so,
    /// removes their computer objects from Active Directory. What became of those is returned for the task's message
    /// ("" when nothing was asked): a directory that refuses never stops the deletion (the original only logged it).
    /// </summary>
    public static async Task<string> DeleteVmsAsync(TaskContext ctx, PoolView pool, IReadOnlyList<Guid> vmIds, bool onController)
    {
        var ad = ctx.Request.DeleteComputersFromAd && vmIds.Count > 0 ? await RemoveComputersAsync(ctx, pool, vmIds) : "";
        if (onController && vmIds.Count > 0)
        {
            var client = await ctx.Controllers.ConnectAsync(pool.ControllerId);
            try
            {
                foreach (var batch in vmIds.Chunk(MaxBatch))
                {
                    var existing = (await client.GetDomainsAsync(batch, "id", ctx.Cancellation)).Select(d => d.Id).ToList();
                    if (existing.Count == 0)
                    {
                        continue; // already gone (a resumed run)
                    }

                    var task = await client.MultiDeleteAsync(existing, ctx.Cancellation);
                    var result = await ctx.WaitForControllerTaskAsync(client, task);
                    if (!result.Succeeded)
                    {
                        throw new TaskFailedException($"the controller could not delete VMs: {result.Error ?? result.Status}");
                    }
                }
            }
            catch (EcpException e)
            {
                await ctx.Controllers.ReportAsync(pool.ControllerId, e);
                throw;
            }
        }

        foreach (var id in vmIds)
        {
            await ctx.Grains.GetGrain<IVmInternalGrain>(id).ForgetAsync();
        }

        return ad;
    }

    /// <summary>The VMs' hostnames as their guest agents report them (else their names, which the preparation made their hostnames).</summary>
    private static async Task<string> RemoveComputersAsync(TaskContext ctx, PoolView pool, IReadOnlyList<Guid> vmIds)
    {
        var names = new Dictionary<Guid, string>();
        try
        {
            var client = await ctx.Controllers.ConnectAsync(pool.ControllerId);
            foreach (var batch in vmIds.Chunk(MaxBatch))
            {
                foreach (var d in await client.GetDomainsAsync(batch, "id,verbose_name,guest_utils", ctx.Cancellation))
                {
                    names[d.Id] = d.GuestHostname is { Length: > 0 } host ? host : d.VerboseName;
                }
            }
        }
        catch (Exception e) when (e is EcpException or BrokerException)
        {
            // the controller cannot say: the broker's own names of the VMs
        }

        foreach (var id in vmIds.Where(id => !names.ContainsKey(id)))
        {
            if (await ctx.Grains.GetGrain<IVmGrain>(id).GetAsync() is { } vm)
            {
                names[id] = vm.VerboseName;
            }
        }

        ComputerRemoval? removal;
        try
        {
            removal = await ctx.Membership.RemoveComputersAsync([.. names.Values]);
        }
        catch (BrokerException e) when (e.Kind is not ErrorKind.DependencyUnavailable)
        {
            // a directory whose service password cannot be decrypted, or that is gone meanwhile: said, never the deletion's end
            return $" Active Directory: no computer objects removed; {e.Message}.";
        }

        return removal switch
        {
            null => " No Active Directory to remove computer objects from.",
            { Outcome: Interfaces.Directories.DirectoryOutcome.Ok } => $" {removal.Removed.Count} computer objects removed from Active Directory.",
            _ => $" Active Directory: {removal.Removed.Count} computer objects removed; {removal.Detail}.",
        };
    }
}
