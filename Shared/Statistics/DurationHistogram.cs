using System.Text.Json.Serialization;

namespace Vdi.Shared.Statistics;

/// <summary>
/// Durations in seconds, counted in logarithmic buckets 2 % wide (bucket i holds [1.02^i - 1, 1.02^(i+1) - 1)), with
/// their exact count, sum, minimum and maximum. Histograms of days add up, so a year's percentiles come from 365 small
/// documents instead of a million rows; a percentile read from one is within a bucket's width (2 %) of the exact one.
/// </summary>
public sealed class DurationHistogram
{
    public const double Ratio = 1.02;
    private static readonly double LogRatio = Math.Log(Ratio);

    [JsonPropertyName("n")] public long Count { get; set; }
    [JsonPropertyName("sum")] public double Sum { get; set; }
    [JsonPropertyName("min")] public double Min { get; set; }
    [JsonPropertyName("max")] public double Max { get; set; }
    [JsonPropertyName("b")] public SortedDictionary<int, long> Buckets { get; set; } = [];

    public static int Index(double seconds) => seconds <= 0 ? 0 : (int)Math.Floor(Math.Log(1 + seconds) / LogRatio);

    private static double Lower(int index) => Math.Pow(Ratio, index) - 1;

    public void Add(double seconds)
    {
        seconds = Math.Max(0, seconds);
        Min = Count == 0 ? seconds : Math.Min(Min, seconds);
        Count++;
        Sum += seconds;
        Max = Math.Max(Max, seconds);
        Buckets[Index(seconds)] = Buckets.GetValueOrDefault(Index(seconds)) + 1;
    }

    public void Merge(DurationHistogram other)
    {
        if (other.Count == 0)
        {
            return;
        }

        Min = Count == 0 ? other.Min : Math.Min(Min, other.Min);
        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
        foreach (var (i, n) in other.Buckets)
        {
            Buckets[i] = Buckets.GetValueOrDefault(i) + n;
        }
    }

    public double? Average => Count == 0 ? null : Sum / Count;

    /// <summary>
    /// The percentile as <c>percentile_cont</c> defines it: the rank p·(n-1) between the sorted values, interpolated
    /// between the two values beside it; each value estimated from its bucket (the values of a bucket taken as spread
    /// evenly over it, bounded by the smallest and largest value seen), so within a bucket's width of the exact one.
    /// </summary>
    public double? Percentile(double p)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Clamp(p, 0, 1) * (Count - 1);
        var below = (long)Math.Floor(rank);
        var low = Value(below);
        return below + 1 < Count ? low + ((Value(below + 1) - low) * (rank - below)) : low;
    }

    /// <summary>The estimated k-th smallest value (0-based).</summary>
    private double Value(long k)
    {
        if (k <= 0)
        {
            return Min;
        }

        if (k >= Count - 1)
        {
            return Max;
        }

        long before = 0;
        foreach (var (i, n) in Buckets)
        {
            if (k < before + n)
            {
                var low = Math.Max(Lower(i), Min);
                var high = Math.Min(Lower(i + 1), Max);
                return Math.Clamp(low + ((high - low) * (k - before + 0.5) / n), Min, Max);
            }

            before += n;
        }

        return Max;
    }
}
