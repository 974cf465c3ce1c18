namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>A scenario line that could not be read; the run continues with the others.</summary>
public sealed record ScenarioProblem(int Line, string? Id, string Message)
{
    public override string ToString() => Id is null ? $"line {Line}: {Message}" : $"line {Line} ({Id}): {Message}";
}
