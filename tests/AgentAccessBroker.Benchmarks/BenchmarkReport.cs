namespace AgentAccessBroker.Benchmarks;

/// <summary>One benchmark's results as a Markdown table with the notes that qualify it.</summary>
internal sealed record BenchmarkReport(string Title, IReadOnlyList<LatencySummary> Results, IReadOnlyList<string> Notes)
{
    public void WriteTo(TextWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine($"## {Title}");
        writer.WriteLine();
        writer.WriteLine(MachineReport.Describe());
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
