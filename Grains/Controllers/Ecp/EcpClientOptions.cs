using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>Timeouts and retries for calls to controllers (section <c>Ecp</c>).</summary>
public sealed class EcpClientOptions
{
    public const string Section = "Ecp";

    /// <summary>One attempt (the original's VEIL_REQUEST_TIMEOUT).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    [Range(0, 10)]
    public int RetryAttempts { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a controller task is polled while waiting for it (the original's 10 s is far too slow).</summary>
    public TimeSpan TaskPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest id list in one query string (the original's VEIL_MAX_IDS_LEN).</summary>
    [Range(100, 6000)]
    public int MaxIdsLength { get; set; } = 3780;
}
