using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>Timeouts and retries for calls to controllers (section <c>Ecp</c>).</summary>
public sealed class EcpClientOptions
{
    public const string Section = "Ecp";

    /// <summary>
    /// Whether a controller may be registered at an <c>http://</c> address. Off by default: over plain HTTP the
    /// integration key (a controller administrator's credential) and every VM's console password cross the network in
    /// clear. The simulator speaks plain HTTP, so the scripts and tests turn it on for it.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>One attempt (the original's VEIL_REQUEST_TIMEOUT).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Ecp:AttemptTimeout must be 100 ms to 5 minutes")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// One call, all its attempts and the waits between them included: a controller that answers nothing costs a
    /// caller (a get-VM, an admin's page) at most this long, not attempts × <see cref="AttemptTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Ecp:CallTimeout must be 100 ms to 10 minutes")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(20);

    [Range(0, 10, ErrorMessage = "Ecp:RetryAttempts must be 0 to 10")]
    public int RetryAttempts { get; set; } = 2;

    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Ecp:RetryDelay must be 0 to 1 minute")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a controller task is polled while waiting for it (the original's 10 s is far too slow).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Ecp:TaskPollInterval must be 10 ms to 1 minute")]
    public TimeSpan TaskPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest id list in one query string (the original's VEIL_MAX_IDS_LEN).</summary>
    [Range(100, 6000, ErrorMessage = "Ecp:MaxIdsLength must be 100 to 6,000 characters")]
    public int MaxIdsLength { get; set; } = 3780;
}
