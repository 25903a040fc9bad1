namespace Vdi.Simulator.Hosting;

/// <summary>Every EventId the simulator logs with (5000-5999; the broker's processes use 1000-4999).</summary>
public static class LogEvents
{
    public const int StateRestored = 5001;
    public const int StateSaveFailed = 5002;
}
