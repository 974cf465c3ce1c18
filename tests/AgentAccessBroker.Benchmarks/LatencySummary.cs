using System.Diagnostics;
using System.Globalization;

namespace AgentAccessBroker.Benchmarks;

/// <summary>Throughput and latency percentiles of one measured run.</summary>
/// <param name="Count">Operations completed (all of them are in the percentiles).</param>
/// <param name="Elapsed">Wall time from the first operation's start to the last one's end.</param>
/// <param name="Stalls">Operations that took over <see cref="StallMs"/> and four times the median: moments the host took the vCPUs away.</param>
internal sealed record LatencySummary(string Name, int Concurrency, int Count, TimeSpan Elapsed, double P50Ms, double P90Ms, double P99Ms, double MaxMs, int Stalls)
{
    /// <summary>
    /// The least duration counted as a stall. Nothing the benchmark measures takes this long at one agent unless the
    /// shared machine stops it (a mint takes 20–35 ms, a dry run under 1 ms); such runs are not comparable.
    /// </summary>
    public const double StallMs = 100;

    public double PerSecond => Count / Elapsed.TotalSeconds;

    /// <summary>Nearest-rank percentiles of per-operation durations given in <see cref="Stopwatch"/> ticks.</summary>
    public static LatencySummary From(string name, int concurrency, long[] ticks, int count, TimeSpan elapsed)
    {
        if (count == 0)
        {
            throw new InvalidOperationException($"{name}: nothing was measured.");
        }

        var sorted = ticks.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        var p50 = Ms(sorted, 0.50);
        var stall = Math.Max(StallMs, 4 * p50);
        var stalls = sorted.Count(t => ToMs(t) > stall);
        return new LatencySummary(name, concurrency, count, elapsed, p50, Ms(sorted, 0.90), Ms(sorted, 0.99), ToMs(sorted[^1]), stalls);
    }

    /// <summary>For operations run one at a time, interleaved with others: throughput from their own summed durations.</summary>
    public static LatencySummary Sequential(string name, long[] ticks, int count)
    {
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            total += ticks[i];
        }

        return From(name, 1, ticks, count, TimeSpan.FromSeconds(total / (double)Stopwatch.Frequency));
    }

    public static string Header =>
        "| measurement | concurrency | operations | ops/s | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|---:|";

    public string Row => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Concurrency} | {Count:N0} | {PerSecond:N0} | {Format(P50Ms)} | {Format(P90Ms)} | {Format(P99Ms)} | {Format(MaxMs)} |");

    /// <summary>Milliseconds at or above 1 ms, microseconds below, so both broker and analyzer numbers read naturally.</summary>
    public static string Format(double ms) => ms >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{ms:0.00} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:0.0} µs");

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>The nearest-rank median of values already in milliseconds.</summary>
    public static double Median(IEnumerable<double> ms) => Quantile(ms.Order().ToArray(), 0.5);

    /// <summary>The nearest-rank quantile of values in milliseconds, already sorted.</summary>
    public static double Quantile(double[] sortedMs, double quantile) => sortedMs[NearestRank(sortedMs.Length, quantile)];

    private static double Ms(long[] sorted, double quantile) => ToMs(sorted[NearestRank(sorted.Length, quantile)]);

    private static int NearestRank(int count, double quantile) => Math.Clamp((int)Math.Ceiling(quantile * count) - 1, 0, count - 1);
}
