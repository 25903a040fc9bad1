namespace Vdi.WebGateway.Hosting;

/// <summary>Every EventId a gateway logs with (2000-2999; the silo host uses 1000-1999, grains 3000-4999, the simulator 5000-5999).</summary>
public static class LogEvents
{
    public const int ClusterNotAnswering = 2001;
    public const int RetiredSetting = 2002;
    public const int GatewayDraining = 2003;
    public const int GatewayDrained = 2004;

    public const int ThinClientSessionDropped = 2101;
    public const int ThinClientEventRefused = 2102;
    public const int ThinClientHeartbeatFailed = 2103;
    public const int TokenCheckedFromCache = 2104;
    public const int ThinClientMessageTooBig = 2105;

    public const int LiveUnsubscribeFailed = 2201;
    public const int LiveSubscribeFailed = 2202;
}
