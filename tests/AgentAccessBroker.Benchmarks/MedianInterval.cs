using System.Globalization;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// A median-based estimate with its 95 % percentile-bootstrap interval: how far the estimate could move if the same
/// run were repeated on the same machine. A grant's and a mint's times are spread over 10 ms and more (the shared host
/// runs at changing speeds), so a median of a few hundred of them moves by tenths of a millisecond between runs; the
/// interval says whether a run can tell 1.8 ms from 2.2 ms at all. The resampling is seeded: the same samples give the
/// same interval.
/// </summary>
internal sealed record MedianInterval(double Estimate, double Low, double High)
{
    private const int Resamples = 2_000;

    /// <summary>p50 of <paramref name="a"/> minus p50 of <paramref name="b"/>, each resampled on its own.</summary>
    public static MedianInterval DifferenceOfMedians(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var random = new Random(1);
        var (sampleA, sampleB) = (new double[a.Count], new double[b.Count]);
        return Bootstrap(LatencySummary.Median(a) - LatencySummary.Median(b), () => MedianOfResample(a, sampleA, random) - MedianOfResample(b, sampleB, random));
    }

    /// <summary>The p50 of <paramref name="values"/> (per-operation differences already paired), resampled as a whole.</summary>
    public static MedianInterval OfMedian(IReadOnlyList<double> values)
    {
        var random = new Random(1);
        var sample = new double[values.Count];
        return Bootstrap(LatencySummary.Median(values), () => MedianOfResample(values, sample, random));
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Estimate:0.00} ms (95 % interval {Low:0.00}–{High:0.00} ms)");

    private static MedianInterval Bootstrap(double estimate, Func<double> resample)
    {
        var estimates = new double[Resamples];
        for (var i = 0; i < Resamples; i++)
        {
            estimates[i] = resample();
        }

        Array.Sort(estimates);
        return new MedianInterval(estimate, estimates[(int)(0.025 * Resamples)], estimates[(int)(0.975 * Resamples) - 1]);
    }

    private static double MedianOfResample(IReadOnlyList<double> values, double[] sample, Random random)
    {
        for (var i = 0; i < sample.Length; i++)
        {
            sample[i] = values[random.Next(values.Count)];
        }

        return LatencySummary.Median(sample);
    }
}
