namespace Vdi.Shared.Hosting;

/// <summary>EventIds of the code silos and gateways share (6000-6999; the silo host 1000-1999, gateways 2000-2999, grains 3000-4999, the simulator 5000-5999).</summary>
public static class SharedLogEvents
{
    public const int HeartbeatFailed = 6001;
    public const int HeartbeatRestored = 6002;
}
