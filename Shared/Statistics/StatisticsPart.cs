using System.Text.Json.Serialization;

namespace Vdi.Shared.Statistics;

/// <summary>
/// The statistics of a stretch of time for one pool (or the whole broker), in a form that adds up: counts per hour,
/// the peak of concurrent sessions, the sessions still open, duration histograms and counted keys (users, client
/// systems, versions, pools). A rolled-up day is one of these; a report adds its days and the edges it reads raw.
/// </summary>
public sealed class StatisticsPart
{
    /// <summary>Per hour (UTC, its start): sessions, successful and failed desktop connections, logins, refused logins.</summary>
    [JsonPropertyName("hours")] public SortedDictionary<DateTime, long[]> Hours { get; set; } = [];

    [JsonPropertyName("peak")] public long Peak { get; set; }
    [JsonPropertyName("open")] public int OpenSessions { get; set; }
    [JsonPropertyName("session")] public DurationHistogram SessionDurations { get; set; } = new();
    [JsonPropertyName("vm")] public DurationHistogram VmConnectionDurations { get; set; } = new();
    [JsonPropertyName("logon")] public DurationHistogram LogonDurations { get; set; } = new();

    /// <summary>Counted keys: not in the document (a table of their own, summed in SQL for whole days).</summary>
    [JsonIgnore] public Dictionary<(char Kind, string Key), KeyCount> Keys { get; } = [];

    public const int SessionsAt = 0, VmOkAt = 1, VmFailedAt = 2, LoginsAt = 3, LoginsFailedAt = 4;

    public void Count(DateTime at, int what, long n = 1)
    {
        var hour = new DateTime(at.Year, at.Month, at.Day, at.Hour, 0, 0, DateTimeKind.Utc);
        if (!Hours.TryGetValue(hour, out var counts))
        {
            Hours[hour] = counts = new long[5];
        }

        counts[what] += n;
    }

    public void CountKey(char kind, string key, string name, long n, long m)
    {
        var current = Keys.GetValueOrDefault((kind, key));
        Keys[(kind, key)] = new KeyCount(current?.Name is { Length: > 0 } known ? known : name, (current?.N ?? 0) + n, (current?.M ?? 0) + m);
    }

    public void Merge(StatisticsPart other)
    {
        foreach (var (hour, counts) in other.Hours)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                Count(hour, i, counts[i]);
            }
        }

        Peak = Math.Max(Peak, other.Peak);
        OpenSessions += other.OpenSessions;
        SessionDurations.Merge(other.SessionDurations);
        VmConnectionDurations.Merge(other.VmConnectionDurations);
        LogonDurations.Merge(other.LogonDurations);
        foreach (var ((kind, key), count) in other.Keys)
        {
            CountKey(kind, key, count.Name, count.N, count.M);
        }
    }
}

/// <summary>A counted key's display name, its count (sessions, or desktop connections for a pool) and a user's desktops.</summary>
public sealed record KeyCount(string Name, long N, long M);
