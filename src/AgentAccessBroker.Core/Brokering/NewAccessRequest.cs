namespace AgentAccessBroker.Brokering;

/// <summary>What an agent submits. Validated by <see cref="AccessRequestIntake"/>.</summary>
public sealed record NewAccessRequest(
    string Target,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    string Purpose,
    TimeSpan Duration);
