namespace AgentAccessBroker.Decisions;

/// <summary>
/// The assessment step the broker runs for each request: the pure <see cref="IRequestAssessor"/>, optionally followed
/// by an outside reviewer for borderline scores. A reviewer can only make a decision more cautious; when it fails or
/// times out the request goes to a human, never to an automatic grant.
/// </summary>
public interface IAsyncRequestAssessor
{
    Task<Assessment> AssessAsync(AssessmentInput input, CancellationToken cancellationToken);
}
