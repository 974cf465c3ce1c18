using System.Diagnostics;
using System.Globalization;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// Issue 3's benchmark: p50 and p99 of a single <see cref="IRequestAssessor.Assess"/> call with a 10,000-event history,
/// each call timed on its own (BenchmarkDotNet reports percentiles of iteration means, which hide the tail a single
/// slow call, a GC pause for instance, puts there). One thread, as one request is assessed on one thread. Also times
/// folding one more denial into the fullest history, which the broker does for every request it records.
/// </summary>
internal static class AssessmentLatencyBenchmark
{
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(10);

    public static BenchmarkReport Run(bool quick)
    {
        var calls = quick ? 10_000 : 100_000;
        var analyzer = new IntentAnalyzer();
        var results = new List<LatencySummary>();
        var notes = new List<string>();
        var load = MachineReport.LoadAverage();
        foreach (var name in AssessmentCases.Names)
        {
            var input = AssessmentCases.Get(name);
            var decision = analyzer.Assess(input);
            var (summary, bytes, collections) = Measure($"{IntentAnalyzer.Name}, {name} case", () => analyzer.Assess(input), calls);
            results.Add(summary);
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name} case: decides {decision.Decision} (score {decision.Score}){(decision.NarrowerRequest is null ? string.Empty : ", with a narrower request")}; " +
                $"allocates {bytes:N0} B per call; {collections} gen-0 GCs during the run; p99 {LatencySummary.Format(summary.P99Ms)} " +
                $"(target ≤ 100 µs: {(summary.P99Ms <= 0.1 ? "met" : "missed")})"));
        }

        var saturated = AssessmentCases.Get("saturated");
        var denial = HistoryOutcomes.Describe(saturated, DecisionKind.Deny, saturated.Now);
        var (fold, foldBytes, _) = Measure("[part] HistoryFold: one more denial into the saturated history",
            () => HistoryFold.RecordOutcome(HistoryFold.RecordRequest(saturated.History, saturated.Now), denial, humanReviewMode: false), calls);
        results.Add(fold);
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"folding one denial into the saturated history allocates {foldBytes:N0} B; the analyzer does this once per non-grant decision to judge a narrower request against the history after the denial"));

        return new BenchmarkReport(load, $"Assessment latency, one call at a time, history of {AssessmentCases.HistoryEvents:N0} events", results, notes);
    }

    private static (LatencySummary Summary, long BytesPerCall, int Gen0Collections) Measure(string name, Func<object> operation, int calls)
    {
        for (var i = 0; i < Math.Min(calls, 5_000); i++)
        {
            operation();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var ticks = new long[calls];
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var collections = GC.CollectionCount(0);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(CaseLimit.TotalSeconds * Stopwatch.Frequency);
        var count = 0;
        while (count < calls && Stopwatch.GetTimestamp() < deadline)
        {
            var start = Stopwatch.GetTimestamp();
            operation();
            ticks[count++] = Stopwatch.GetTimestamp() - start;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (LatencySummary.From(name, 1, ticks, count, elapsed), (GC.GetAllocatedBytesForCurrentThread() - allocated) / count, GC.CollectionCount(0) - collections);
    }
}
