namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>A scenario line that could not be read; the run continues with the others.</summary>
public sealed record ScenarioProblem(int Line, string? Id, string Message)
{
    /// <summary>The file (or other source) of the line; empty for a single unnamed source.</summary>
    public string Source { get; init; } = string.Empty;

    public override string ToString()
    {
        var where = Source.Length == 0 ? $"line {Line}" : $"{Source} line {Line}";
        return Id is null ? $"{where}: {Message}" : $"{where} ({Id}): {Message}";
    }
}
