namespace AgentAccessBroker.Benchmarks;

/// <summary>One benchmark's results as a Markdown table with the notes that qualify it.</summary>
/// <param name="LoadBefore">The machine's load average when the benchmark started (other work shares these 2 cores).</param>
internal sealed record BenchmarkReport(string LoadBefore, string Title, IReadOnlyList<LatencySummary> Results, IReadOnlyList<string> Notes)
{
    public string LoadAfter { get; } = MachineReport.LoadAverage();

    public void WriteTo(TextWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine($"## {Title}");
        writer.WriteLine();
        writer.WriteLine($"{MachineReport.Describe()}; load average (1, 5, 15 min) {LoadBefore} at the start, {LoadAfter} at the end");
        writer.WriteLine();
        writer.WriteLine(LatencySummary.Header);
        foreach (var result in Results)
        {
            writer.WriteLine(result.Row);
        }

        writer.WriteLine();
        foreach (var note in Notes)
        {
            writer.WriteLine($"- {note}");
        }
    }
}
