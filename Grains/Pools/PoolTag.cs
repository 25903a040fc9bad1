using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.Grains.Pools;

/// <summary>
/// The pool's tag on its controller, as the original keeps one (named after the pool, a random colour) so that the
/// controller's own UI shows which VMs are the broker's and of which pool. Made when the first VMs join, renamed
/// with the pool, deleted with it. A tag is a convenience for the controller's administrators: a controller that
/// refuses one is logged, never a reason to fail a pool's creation or deletion.
/// </summary>
public sealed partial class PoolTag(ControllerSessions controllers, ILogger logger)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Puts the VMs under the pool's tag (made first when <paramref name="tag"/> is null); the tag, or null when none could be made.</summary>
    public async Task<Guid?> AttachAsync(Guid controllerId, string poolName, Guid? tag, IReadOnlyList<Guid> vmIds)
    {
        if (vmIds.Count == 0)
        {
            return tag;
        }

        try
        {
            var client = await controllers.ConnectAsync(controllerId);
            if (tag is null)
            {
                var task = await client.WaitForTaskAsync(await client.CreateTagAsync(poolName, Colour()), Wait);
                tag = task is { Succeeded: true, FirstEntity: { } made } ? made : throw new EcpException(EcpErrorKind.Rejected, $"the tag was not made: {task.Error ?? task.Status}");
            }

            await client.AddTagEntitiesAsync(tag.Value, vmIds);
        }
        catch (Exception e) when (e is EcpException or BrokerException or TimeoutException)
        {
            LogFailed(logger, poolName, e.Message);
        }

        return tag;
    }

    public Task RenameAsync(Guid controllerId, Guid? tag, string poolName) =>
        tag is { } id ? BestEffortAsync(controllerId, poolName, client => client.RenameTagAsync(id, poolName)) : Task.CompletedTask;

    public Task DeleteAsync(Guid controllerId, Guid? tag, string poolName) =>
        tag is { } id ? BestEffortAsync(controllerId, poolName, client => client.DeleteTagAsync(id)) : Task.CompletedTask;

    private async Task BestEffortAsync(Guid controllerId, string poolName, Func<EcpClient, Task> call)
    {
        try
        {
            await call(await controllers.ConnectAsync(controllerId));
        }
        catch (Exception e) when (e is EcpException or BrokerException or TimeoutException)
        {
            LogFailed(logger, poolName, e.Message);
        }
    }

    private static string Colour() => $"#{RandomNumberGenerator.GetInt32(0x1000000):x6}";

    [LoggerMessage(EventId = LogEvents.PoolTagFailed, Level = LogLevel.Warning, Message = "Pool {Pool}: the controller's pool tag could not be changed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string pool, string reason);
}
