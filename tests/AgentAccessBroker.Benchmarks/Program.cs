using AgentAccessBroker.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/AgentAccessBroker.Benchmarks -- <broker|assess|assess-bdn|history|revocation|revocation-timing|all> [--quick] [--concurrency 1|32] [--live N]
// See docs/PERFORMANCE.md for what each one measures and the latest numbers.
const string Usage = "usage: <broker|assess|assess-bdn|history|revocation|revocation-timing|all> [--quick] [--concurrency 1|32] [--live N]  (--quick: a tenth of the counts, for a smoke run; " +
    "--concurrency: the broker benchmark at that one level only; --live: the revocation benchmarks' lease count, 10,000 by default)";
var quick = args.Contains("--quick");
var levelAt = Array.IndexOf(args, "--concurrency");
int[] levels = levelAt < 0 ? BrokerLoadBenchmark.Levels : args.ElementAtOrDefault(levelAt + 1) is "1" ? [1] : args.ElementAtOrDefault(levelAt + 1) is "32" ? [32] : [];
var liveAt = Array.IndexOf(args, "--live");
int? live = liveAt < 0 ? null : int.TryParse(args.ElementAtOrDefault(liveAt + 1), out var n) && n >= 200 ? n : -1;
var which = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (levelAt < 0 || i != levelAt + 1) && (liveAt < 0 || i != liveAt + 1)).FirstOrDefault();
string[] known = ["broker", "assess", "assess-bdn", "history", "revocation", "revocation-timing", "all"];
if (which is null || !known.Contains(which) || levels.Length == 0 || live < 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

MachineReport.RequireRelease();
Console.WriteLine($"{MachineReport.Describe()}; load average {MachineReport.LoadAverage()}; {MachineReport.SpeedReference()}");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var reports = new List<BenchmarkReport>();
if (which is "assess" or "all")
{
    reports.Add(AssessmentLatencyBenchmark.Run(quick));
    reports[^1].WriteTo(Console.Out);
}

if (which is "assess-bdn" or "all")
{
    var artifacts = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
    var summary = BenchmarkRunner.Run<AssessmentBenchmarks>(AssessmentBenchmarks.Config(artifacts));
    if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success))
    {
        Console.Error.WriteLine("BenchmarkDotNet reported failures; see the log above.");
        return 1;
    }
}

if (which is "history" or "all")
{
    reports.Add(await new HistoryReadBenchmark(quick).RunAsync(cancel.Token));
    reports[^1].WriteTo(Console.Out);
}

if (which is "broker" or "all")
{
    reports.Add(await new BrokerLoadBenchmark(Console.Out, quick, levels).RunAsync(cancel.Token));
    reports[^1].WriteTo(Console.Out);
}

if (which is "revocation")
{
    // Not part of "all": it mints 10,000 leases (several minutes) and measures something else than the grant path.
    reports.Add(await new RevocationScaleBenchmark(Console.Out, live ?? (quick ? 1_000 : 10_000)).RunAsync(cancel.Token));
    reports[^1].WriteTo(Console.Out);
}

if (which is "revocation-timing")
{
    // Not part of "all": lateness and recovery, each with 10,000 leases minted first.
    reports.Add(await new RevocationTimingBenchmark(Console.Out, live ?? (quick ? 1_000 : 10_000)).RunAsync(cancel.Token));
    reports[^1].WriteTo(Console.Out);
}

if (reports.Count > 1)
{
    Console.WriteLine();
    Console.WriteLine("# All results");
    foreach (var report in reports)
    {
        report.WriteTo(Console.Out);
    }
}

return 0;
