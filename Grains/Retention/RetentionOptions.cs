using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Retention;

/// <summary>How the silo applies the retention (section <c>Retention</c>); the periods themselves are run-time settings.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Whether a reminder applies the retention every <see cref="Period"/> (an administrator can always run it).</summary>
    public bool Scheduled { get; set; } = true;

    /// <summary>How often the retention is applied (and next months' journal partitions made).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00", ErrorMessage = "Retention:Period must be 1 minute to 7 days")]
    public TimeSpan Period { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Where the CSV archives go (gzipped, mode 0640), a folder of the silo's host, never a path an administrator types
    /// in the panel; empty: no archives are written even when the setting asks for them, and nothing is removed that
    /// would have been archived.
    /// </summary>
    public string ArchiveDirectory { get; set; } = "";

    /// <summary>Rows removed per statement (sessions) and tasks forgotten per round.</summary>
    [Range(100, 100_000, ErrorMessage = "Retention:BatchSize must be 100 to 100,000")]
    public int BatchSize { get; set; } = 5_000;

    /// <summary>Settled days whose statistics one run rolls up (a first run after an upgrade catches up over several runs).</summary>
    [Range(1, 5_000, ErrorMessage = "Retention:RollupDaysPerRun must be 1 to 5,000")]
    public int RollupDaysPerRun { get; set; } = 800;
}
