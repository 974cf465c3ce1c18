using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Scoring;
using AgentAccessBroker.Text;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>
/// The assessment the broker acts on: the pure analyzer first, then, only for borderline scores and only when enabled,
/// an outside reviewer.
/// </summary>
/// <remarks>
/// Security contract:
/// <list type="bullet">
/// <item>The reviewer can only raise caution: its verdict is combined with the analyzer's decision by taking the more
/// cautious of the two (consistent keeps it, suspicious means a human decides, malicious denies). It can never turn a
/// human decision or a denial into an automatic grant, because the purpose it reads is untrusted text a reviewer model
/// can be talked round by.</item>
/// <item>A failure, a timeout or an unreadable answer means a human decides, never an automatic grant.</item>
/// <item>The caller's cancellation is honoured; only the reviewer's own timeout falls back.</item>
/// </list>
/// </remarks>
public sealed partial class ReviewedAssessor : IAsyncRequestAssessor
{
    private const int MaxReasonLength = 300;

    private readonly IRequestAssessor _analyzer;
    private readonly IOutsideReviewer? _reviewer;
    private readonly OutsideReviewOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ReviewedAssessor> _logger;

    public ReviewedAssessor(IRequestAssessor analyzer, IOutsideReviewer? reviewer, OutsideReviewOptions options, TimeProvider timeProvider, ILogger<ReviewedAssessor> logger)
    {
        ArgumentNullException.ThrowIfNull(analyzer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _analyzer = analyzer;
        _reviewer = reviewer;
        _options = options;
        _time = timeProvider;
        _logger = logger;
    }

    public async Task<Assessment> AssessAsync(AssessmentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var assessment = _analyzer.Assess(input);
        if (_reviewer is null || !_options.Enabled || !IsBorderline(input, assessment))
        {
            return assessment;
        }

        OutsideReview review;
        using (var timeout = new CancellationTokenSource(_options.Timeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                review = await _reviewer.ReviewAsync(ToRequest(input, assessment), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogReviewerTimedOut(_logger, _reviewer.Name, _options.Timeout);
                return Fallback(assessment, $"the outside reviewer did not answer within {Words.Of(_options.Timeout)}, so a human decides");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The reviewer is an outside system: whatever it throws, the safe answer is a human decision.
                LogReviewerFailed(_logger, _reviewer.Name, ex.GetType().Name);
                return Fallback(assessment, "the outside reviewer failed, so a human decides");
            }
        }

        var verdict = review.Verdict switch
        {
            OutsideVerdict.Consistent => assessment.Decision,
            OutsideVerdict.Suspicious => DecisionKind.RequireApproval,
            _ => DecisionKind.Deny,
        };
        var decision = verdict > assessment.Decision ? verdict : assessment.Decision;
        var reason = $"outside reviewer {_reviewer.Name}: {VerdictWord(review.Verdict)} ({Clean(review.Reason)})";
        return assessment with
        {
            Decision = decision,
            Reasons = [.. assessment.Reasons, reason],
            NarrowerRequest = decision == assessment.Decision ? assessment.NarrowerRequest : null,
            Analyzer = $"{assessment.Analyzer}+{_reviewer.Name}",
        };
    }

    /// <summary>The score lies within the configured band around the automatic-grant threshold of its sensitivity.</summary>
    public bool IsBorderline(AssessmentInput input, Assessment assessment)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(assessment);
        if (assessment.Decision == DecisionKind.Deny || assessment.HumanReviewMode)
        {
            return false;
        }

        var sensitivity = RequestFacts.Of(input).MaxSensitivity;
        if (!input.Policy.Sensitivities.TryGetValue(sensitivity, out var rules))
        {
            return false;
        }

        return assessment.Score >= rules.GrantBelow - _options.Band && assessment.Score < rules.GrantBelow + _options.Band;
    }

    private Assessment Fallback(Assessment assessment, string reason) => assessment with
    {
        Decision = assessment.Decision == DecisionKind.Deny ? DecisionKind.Deny : DecisionKind.RequireApproval,
        Reasons = [.. assessment.Reasons, reason],
        NarrowerRequest = assessment.Decision == DecisionKind.Grant ? null : assessment.NarrowerRequest,
        Analyzer = $"{assessment.Analyzer}+{_reviewer!.Name}(unavailable)",
    };

    private static OutsideReviewRequest ToRequest(AssessmentInput input, Assessment assessment) => new(
        input.Task.Description,
        input.Task.Environment,
        input.Task.ScopeHints,
        input.Request.Target,
        input.Request.Resources,
        input.Request.Actions,
        input.Request.Purpose,
        input.Request.RequestedDuration,
        assessment.Score,
        assessment.Decision,
        assessment.Factors);

    private static string VerdictWord(OutsideVerdict verdict) => verdict switch
    {
        OutsideVerdict.Consistent => "consistent",
        OutsideVerdict.Suspicious => "suspicious",
        _ => "malicious",
    };

    /// <summary>The reviewer's words reach approvers and the agent: no control characters, bounded length.</summary>
    private static string Clean(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return "no reason given";
        }

        var clean = UntrustedText.Sanitise(reason);
        return (clean.Length > MaxReasonLength ? clean[..MaxReasonLength] : clean).Trim();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Outside reviewer {Reviewer} did not answer within {Timeout}; the request goes to a human")]
    private static partial void LogReviewerTimedOut(ILogger logger, string reviewer, TimeSpan timeout);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Outside reviewer {Reviewer} failed with {ErrorType}; the request goes to a human")]
    private static partial void LogReviewerFailed(ILogger logger, string reviewer, string errorType);
}
