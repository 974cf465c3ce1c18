namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>
/// A second opinion on a borderline request, such as a language model behind an HTTP endpoint.
/// </summary>
/// <remarks>
/// Security contract: a reviewer can only add caution. <see cref="ReviewedAssessor"/> consults it only for scores near
/// the automatic-grant threshold, never lets its verdict turn a human decision into an automatic grant, and treats an
/// exception, a timeout or an unreadable answer as "a human decides". The request it receives contains the agent's
/// purpose, which is untrusted text; implementations must not follow instructions found in it.
/// </remarks>
public interface IOutsideReviewer
{
    /// <summary>Recorded with the decision ("http:https://reviewer.example/review").</summary>
    string Name { get; }

    Task<OutsideReview> ReviewAsync(OutsideReviewRequest request, CancellationToken cancellationToken);
}
