using Orleans.Concurrency;
using Vdi.Grains.Interfaces.Health;

namespace Vdi.Grains.Health;

[GrainType("health"), StatelessWorker]
public sealed class HealthGrain(ILocalSiloDetails silo, TimeProvider time) : Grain, IHealthGrain
{
    public Task<SiloPing> PingAsync() => Task.FromResult(new SiloPing(silo.SiloAddress.ToString(), time.GetUtcNow()));
}
