namespace Vdi.Grains.Hosting;

/// <summary>
/// Every EventId the grains log with, in one registry (as Orleans keeps its <c>ErrorCode</c> enum), so an id means one
/// thing across releases and an operator can alert on it. Ranges: 3000-3099 controllers, 3100-3199 controller event
/// streams, 3200-3299 VMs, 3300-3399 journal and live events, 4000-4099 tasks, 4100-4199 thin clients, 4200-4299
/// security. The silo host uses 1000-1999, gateways 2000-2999, the simulator 5000-5999.
/// </summary>
public static class LogEvents
{
    public const int ControllerAdded = 3001;
    public const int ControllerStatusChanged = 3002;
    public const int ControllerKeepOnStarted = 3003;
    public const int ControllerKeepOnFailed = 3004;

    public const int StreamConnected = 3101;
    public const int StreamLost = 3102;
    public const int StreamRejected = 3103;
    public const int StreamHandlerFailed = 3104;
    public const int StreamEventNotApplied = 3105;

    public const int VmKeepOnFailed = 3201;
    public const int VmTimeZoneSet = 3202;
    public const int VmTimeZoneFailed = 3203;
    public const int PoolTagFailed = 3204;

    public const int JournalPublishFailed = 3301;
    public const int NotificationFailed = 3302;

    public const int TaskFailed = 4001;
    public const int TaskPaused = 4002;

    public const int SessionPushFailed = 4101;
}
