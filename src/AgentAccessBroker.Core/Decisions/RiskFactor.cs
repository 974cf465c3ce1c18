namespace AgentAccessBroker.Decisions;

/// <summary>One contribution to a risk score, explained in plain words ("write access to a critical resource").</summary>
/// <param name="Code">Stable identifier of the factor (<c>action_class</c>, <c>out_of_task_scope</c>...).</param>
/// <param name="Points">Added to the score; negative when the factor lowers risk.</param>
public sealed record RiskFactor(string Code, int Points, string Explanation)
{
    public override string ToString() => $"{Explanation} {(Points >= 0 ? "+" : string.Empty)}{Points}";
}
