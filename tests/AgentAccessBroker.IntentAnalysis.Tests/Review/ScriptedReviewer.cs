using AgentAccessBroker.IntentAnalysis.Review;

namespace AgentAccessBroker.IntentAnalysis.Tests.Review;

/// <summary>An in-process reviewer that answers from a script and records what it was asked.</summary>
internal sealed class ScriptedReviewer(Func<OutsideReviewRequest, CancellationToken, Task<OutsideReview>> answer) : IOutsideReviewer
{
    public List<OutsideReviewRequest> Requests { get; } = [];

    public string Name => "scripted";

    public static ScriptedReviewer Answering(OutsideVerdict verdict, string reason = "because") =>
        new((_, _) => Task.FromResult(new OutsideReview(verdict, reason)));

    public Task<OutsideReview> ReviewAsync(OutsideReviewRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        return answer(request, cancellationToken);
    }
}
