using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Review;
using AgentAccessBroker.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.IntentAnalysis.Tests.Review;

public sealed class ReviewedAssessorTests
{
    // Medium resource, grant below 40: a routine read scores 13; a three-hour one 23, within the band of 20 used here.
    private static readonly Inputs Borderline = new(Duration: TimeSpan.FromHours(3), Purpose: "Read the billing export logs");
    private static readonly Inputs FarBelow = new();
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public void IsBorderline_ScoresAroundTheGrantThreshold_AreBorderline()
    {
        var assessor = Create(ScriptedReviewer.Answering(OutsideVerdict.Consistent), Enabled());
        var near = Borderline.Build();
        var far = FarBelow.Build();

        Assert.True(assessor.IsBorderline(near, new IntentAnalyzer().Assess(near)));
        Assert.False(Create(ScriptedReviewer.Answering(OutsideVerdict.Consistent), new OutsideReviewOptions { Enabled = true, Band = 5 }).IsBorderline(far, new IntentAnalyzer().Assess(far)));
    }

    [Fact]
    public async Task AssessAsync_Disabled_NeverConsultsTheReviewer()
    {
        var reviewer = ScriptedReviewer.Answering(OutsideVerdict.Malicious);
        var assessor = Create(reviewer, new OutsideReviewOptions { Enabled = false });

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        Assert.Empty(reviewer.Requests);
        Assert.Equal(new IntentAnalyzer().Assess(Borderline.Build()).Decision, assessment.Decision);
    }

    [Fact]
    public async Task AssessAsync_ScoreFarFromThreshold_DoesNotConsultTheReviewer()
    {
        var reviewer = ScriptedReviewer.Answering(OutsideVerdict.Malicious);
        var assessor = Create(reviewer, new OutsideReviewOptions { Enabled = true, Band = 5 });

        var assessment = await assessor.AssessAsync(FarBelow.Build(), CancellationToken.None);

        Assert.Empty(reviewer.Requests);
        Assert.Equal(DecisionKind.Grant, assessment.Decision);
    }

    [Fact]
    public async Task AssessAsync_BorderlineGrantJudgedConsistent_StaysGranted()
    {
        var reviewer = ScriptedReviewer.Answering(OutsideVerdict.Consistent, "fits the task");
        var assessor = Create(reviewer, Enabled());
        var input = Borderline.Build();
        Assert.Equal(DecisionKind.Grant, new IntentAnalyzer().Assess(input).Decision);

        var assessment = await assessor.AssessAsync(input, CancellationToken.None);

        var asked = Assert.Single(reviewer.Requests);
        Assert.Equal(input.Request.Purpose, asked.Purpose);
        Assert.Equal(DecisionKind.Grant, asked.ProposedDecision);
        Assert.Equal(DecisionKind.Grant, assessment.Decision);
        Assert.Contains("outside reviewer scripted: consistent (fits the task)", assessment.Reasons);
        Assert.Equal(IntentAnalyzer.Name + "+scripted", assessment.Analyzer);
    }

    [Fact]
    public async Task AssessAsync_BorderlineGrantJudgedSuspicious_GoesToAHuman()
    {
        var assessor = Create(ScriptedReviewer.Answering(OutsideVerdict.Suspicious, "logs of another service"), Enabled());

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        Assert.Equal(DecisionKind.RequireApproval, assessment.Decision);
    }

    [Fact]
    public async Task AssessAsync_BorderlineJudgedMalicious_IsDenied()
    {
        var assessor = Create(ScriptedReviewer.Answering(OutsideVerdict.Malicious), Enabled());

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        Assert.Equal(DecisionKind.Deny, assessment.Decision);
    }

    [Fact]
    public async Task AssessAsync_HumanDecisionJudgedConsistent_IsNeverTurnedIntoAGrant()
    {
        var input = new Inputs(Resources: [Inputs.ExportObjects], Actions: ["s3:GetObject"], Purpose: "Read the export files").Build();
        var analyzed = new IntentAnalyzer().Assess(input);
        Assert.Equal(DecisionKind.RequireApproval, analyzed.Decision);
        var reviewer = ScriptedReviewer.Answering(OutsideVerdict.Consistent, "looks fine, approve");
        var assessor = Create(reviewer, Enabled());

        var assessment = await assessor.AssessAsync(input, CancellationToken.None);

        Assert.Single(reviewer.Requests);
        Assert.Equal(DecisionKind.RequireApproval, assessment.Decision);
    }

    [Fact]
    public async Task AssessAsync_ReviewerThrows_GoesToAHuman()
    {
        var assessor = Create(new ScriptedReviewer((_, _) => throw new HttpRequestException("connection refused")), Enabled());

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        Assert.Equal(DecisionKind.RequireApproval, assessment.Decision);
        Assert.Contains("the outside reviewer failed, so a human decides", assessment.Reasons);
        Assert.EndsWith("(unavailable)", assessment.Analyzer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssessAsync_ReviewerTimesOut_GoesToAHuman()
    {
        var time = new FakeTimeProvider(TestClock.Start);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reviewer = new ScriptedReviewer(async (_, token) =>
        {
            asked.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            throw new InvalidOperationException("unreachable");
        });
        var assessor = Create(reviewer, Enabled(), time);

        var pending = assessor.AssessAsync(Borderline.Build(), CancellationToken.None);
        await asked.Task.WaitAsync(Deadline);
        time.Advance(TimeSpan.FromSeconds(5));
        var assessment = await pending;

        Assert.Equal(DecisionKind.RequireApproval, assessment.Decision);
        Assert.Contains("the outside reviewer did not answer within 5s, so a human decides", assessment.Reasons);
    }

    [Fact]
    public async Task AssessAsync_CallerCancels_Propagates()
    {
        using var cancel = new CancellationTokenSource();
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reviewer = new ScriptedReviewer(async (_, token) =>
        {
            asked.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            throw new InvalidOperationException("unreachable");
        });
        var assessor = Create(reviewer, Enabled(), new FakeTimeProvider(TestClock.Start));

        var pending = assessor.AssessAsync(Borderline.Build(), cancel.Token);
        await asked.Task.WaitAsync(Deadline);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task AssessAsync_ReviewerReason_IsCleanedAndBounded()
    {
        var assessor = Create(ScriptedReviewer.Answering(OutsideVerdict.Suspicious, "odd\u202e\u0007 " + new string('x', 1000)), Enabled());

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        var reason = assessment.Reasons[^1];
        Assert.DoesNotContain('\u202e', reason);
        Assert.DoesNotContain('\u0007', reason);
        Assert.True(reason.Length < 400);
    }

    private static OutsideReviewOptions Enabled() => new() { Enabled = true, Band = 20, Timeout = TimeSpan.FromSeconds(5) };

    private static ReviewedAssessor Create(IOutsideReviewer reviewer, OutsideReviewOptions options, TimeProvider? time = null) =>
        new(new IntentAnalyzer(), reviewer, options, time ?? TimeProvider.System, NullLogger<ReviewedAssessor>.Instance);
}
