using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

/// <summary>A grain that makes sure silent thin-client sessions are closed even when their grain's silo died.</summary>
[Alias("ISessionSweeperGrain")]
public interface ISessionSweeperGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweeper's reminder (idempotent); every silo calls it once.</summary>
    [Alias("EnsureRunningAsync")]
    Task EnsureRunningAsync();

    /// <summary>One sweep now; the number of sessions asked to check themselves.</summary>
    [Alias("SweepAsync")]
    Task<int> SweepAsync();
}
