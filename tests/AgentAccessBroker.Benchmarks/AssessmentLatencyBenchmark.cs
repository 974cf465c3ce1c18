using System.Diagnostics;
using System.Globalization;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Issue 3's benchmark: p50 and p99 of a single <see cref="IRequestAssessor.Assess"/> call with a 10,000-event history,
/// each call timed on its own (BenchmarkDotNet reports percentiles of iteration means, which hide the tail a single
/// slow call, a GC pause for instance, puts there). One thread, as one request is assessed on one thread.
/// </summary>
internal static class AssessmentLatencyBenchmark
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);

    public static BenchmarkReport Run(bool quick)
    {
        var calls = quick ? 10_000 : 100_000;
        IRequestAssessor[] assessors = [new IntentAnalyzer()];
        var results = new List<LatencySummary>();
        var notes = new List<string>();
        var load = MachineReport.LoadAverage();
        foreach (var name in AssessmentCases.Names)
        {
            var input = AssessmentCases.Get(name);
            foreach (var assessor in assessors)
            {
                var decision = assessor.Assess(input);
                for (var i = 0; i < Math.Min(calls, 5_000); i++)
                {
                    assessor.Assess(input);
                }

                GC.Collect();
                GC.WaitForPendingFinalizers();
                var ticks = new long[calls];
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var gcs = GC.CollectionCount(0);
                var started = Stopwatch.GetTimestamp();
                var deadline = started + (long)(CaseLimit.TotalSeconds * Stopwatch.Frequency);
                var count = 0;
                while (count < calls && Stopwatch.GetTimestamp() < deadline)
                {
                    var start = Stopwatch.GetTimestamp();
                    assessor.Assess(input);
                    ticks[count++] = Stopwatch.GetTimestamp() - start;
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                var perCall = (GC.GetAllocatedBytesForCurrentThread() - allocated) / count;
                results.Add(LatencySummary.From($"{decision.Analyzer}, {name} case", 1, ticks, count, elapsed));
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{decision.Analyzer}, {name} case: decides {decision.Decision} (score {decision.Score}){(decision.NarrowerRequest is null ? string.Empty : ", with a narrower request")}; " +
                    $"allocates {perCall:N0} B per call; {GC.CollectionCount(0) - gcs} gen-0 GCs during the run"));
            }
        }

        foreach (var analyzer in results.Where(r => r.Name.StartsWith(IntentAnalyzer.Name, StringComparison.Ordinal)))
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{analyzer.Name}: p99 {LatencySummary.Format(analyzer.P99Ms)} (target ≤ 100 µs: {(analyzer.P99Ms <= 0.1 ? "met" : "missed")})"));
        }

        return new BenchmarkReport(load, $"Assessment latency, one call at a time, history of {AssessmentCases.HistoryEvents:N0} events", results, notes);
    }
}
