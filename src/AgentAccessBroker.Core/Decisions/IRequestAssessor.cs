namespace AgentAccessBroker.Decisions;

/// <summary>
/// Scores a request and decides grant / require approval / deny. A pure function: the same input always gives the same
/// output; no I/O, no clock. Every decision carries reasons a human can read.
/// </summary>
public interface IRequestAssessor
{
    Assessment Assess(AssessmentInput input);
}
