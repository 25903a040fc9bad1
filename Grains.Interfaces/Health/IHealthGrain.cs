namespace Vdi.Grains.Interfaces.Health;

/// <summary>A stateless probe: a gateway that can call it reaches a live silo of the cluster.</summary>
[Alias("IHealthGrain")]
public interface IHealthGrain : IGrainWithIntegerKey
{
    [Alias("PingAsync")]
    Task<SiloPing> PingAsync();
}
