using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace AgentAccessBroker.Benchmarks;

/// <summary>
/// BenchmarkDotNet measurement of <see cref="IRequestAssessor.Assess"/> with a 10,000-event history: mean, median and
/// the spread of iteration means, and allocations per call. Public and unsealed because BenchmarkDotNet requires it.
/// </summary>
public class AssessmentBenchmarks
{
    private readonly IntentAnalyzer _analyzer = new();
    private AssessmentInput _input = null!;

    public static IEnumerable<string> Cases => AssessmentCases.Names;

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "grant";

    /// <summary>
    /// In-process (no generated project to rebuild: that alone takes minutes on two cores), 3 warm-up and 15 measured
    /// iterations of at least 250 ms each.
    /// </summary>
    public static IConfig Config(string artifacts) => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithId("in-process"))
        .AddColumn(StatisticColumn.P50, StatisticColumn.P95, StatisticColumn.P100)
        .AddDiagnoser(MemoryDiagnoser.Default)
        .WithArtifactsPath(artifacts);

    [GlobalSetup]
    public void Setup() => _input = AssessmentCases.Get(Case);

    [Benchmark(Description = IntentAnalyzer.Name)]
    public Assessment IntentAnalyzerAssess() => _analyzer.Assess(_input);

}
