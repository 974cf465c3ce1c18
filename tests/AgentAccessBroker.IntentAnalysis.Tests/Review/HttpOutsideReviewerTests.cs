using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Review;
using AgentAccessBroker.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.IntentAnalysis.Tests.Review;

public sealed class HttpOutsideReviewerTests : IAsyncLifetime
{
    private const string ApiKey = "rv-3f9a1c7e5b2d4e6f8a0b";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly Inputs Borderline = new(Duration: TimeSpan.FromHours(3), Purpose: "Read the billing export logs");

    private FakeReviewEndpoint _endpoint = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _endpoint = await FakeReviewEndpoint.StartAsync();
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task ReviewAsync_Answer_SendsTheDocumentedRequestAndReadsTheVerdict()
    {
        _endpoint.Answer = c => c.Response.WriteAsJsonAsync(new { verdict = "suspicious", reason = "other service's logs" });
        var input = Borderline.Build();
        var assessment = new IntentAnalyzer().Assess(input);

        var review = await Reviewer().ReviewAsync(Request(input, assessment), CancellationToken.None);

        Assert.Equal(new OutsideReview(OutsideVerdict.Suspicious, "other service's logs"), review);
        var (body, authorization) = Assert.Single(_endpoint.Received);
        var root = body.RootElement;
        Assert.Equal("Bearer " + ApiKey, authorization);
        Assert.Equal(input.Task.Description, root.GetProperty("task").GetProperty("description").GetString());
        Assert.Equal("prod", root.GetProperty("task").GetProperty("environment").GetString());
        Assert.Equal(input.Request.Purpose, root.GetProperty("request").GetProperty("purpose").GetString());
        Assert.Equal(10_800, root.GetProperty("request").GetProperty("duration_seconds").GetInt64());
        Assert.Equal("logs:GetLogEvents", root.GetProperty("request").GetProperty("actions")[0].GetString());
        Assert.Equal(assessment.Score, root.GetProperty("assessment").GetProperty("score").GetInt32());
        Assert.Equal("grant", root.GetProperty("assessment").GetProperty("proposed_decision").GetString());
        Assert.Equal(assessment.Factors[0].Code, root.GetProperty("assessment").GetProperty("factors")[0].GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(500)]
    [InlineData(429)]
    [InlineData(401)]
    public async Task ReviewAsync_ErrorStatus_FailsWithoutEchoingTheKey(int status)
    {
        _endpoint.Answer = c =>
        {
            c.Response.StatusCode = status;
            return c.Response.WriteAsync("upstream exploded, key was " + ApiKey);
        };

        var error = await Assert.ThrowsAsync<OutsideReviewException>(() => Reviewer().ReviewAsync(Request(), CancellationToken.None));

        Assert.Equal($"the reviewer answered HTTP {status}", error.Message);
    }

    [Theory]
    [InlineData("{\"verdict\":\"approve\"}")]
    [InlineData("{\"reason\":\"no verdict\"}")]
    [InlineData("not json at all")]
    [InlineData("null")]
    public async Task ReviewAsync_UnreadableAnswer_Fails(string answer)
    {
        _endpoint.Answer = c => c.Response.WriteAsync(answer);

        await Assert.ThrowsAsync<OutsideReviewException>(() => Reviewer().ReviewAsync(Request(), CancellationToken.None));
    }

    [Fact]
    public async Task ReviewAsync_OversizedAnswer_Fails()
    {
        _endpoint.Answer = c => c.Response.WriteAsync("{\"verdict\":\"consistent\",\"reason\":\"" + new string('x', 64 * 1024) + "\"}");

        var error = await Assert.ThrowsAsync<OutsideReviewException>(() => Reviewer().ReviewAsync(Request(), CancellationToken.None));

        Assert.Equal("the reviewer's answer is too large", error.Message);
    }

    [Fact]
    public async Task AssessAsync_EndpointFails_GoesToAHumanAndLogsNoSecret()
    {
        _endpoint.Answer = c =>
        {
            c.Response.StatusCode = 503;
            return Task.CompletedTask;
        };
        var logger = new CapturingLogger<ReviewedAssessor>();
        var assessor = new ReviewedAssessor(new IntentAnalyzer(), Reviewer(), Options(), TimeProvider.System, logger);

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        Assert.Equal(DecisionKind.RequireApproval, assessment.Decision);
        Assert.Contains(logger.Messages, m => m.Contains("OutsideReviewException", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Messages, m => m.Contains(ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(assessment.Reasons, r => r.Contains(ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AssessAsync_EndpointTooSlow_GoesToAHuman()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _endpoint.Answer = async c =>
        {
            await release.Task.WaitAsync(c.RequestAborted);
            await c.Response.WriteAsJsonAsync(new { verdict = "consistent", reason = "late" });
        };
        var time = new FakeTimeProvider(TestClock.Start);
        var assessor = new ReviewedAssessor(new IntentAnalyzer(), Reviewer(), Options(), time, new CapturingLogger<ReviewedAssessor>());

        try
        {
            var pending = assessor.AssessAsync(Borderline.Build(), CancellationToken.None);
            await _endpoint.RequestArrived.Task.WaitAsync(Deadline);
            time.Advance(TimeSpan.FromSeconds(2));
            var assessment = await pending.WaitAsync(Deadline);

            Assert.Equal(DecisionKind.RequireApproval, assessment.Decision);
            Assert.Contains("the outside reviewer did not answer within 2s, so a human decides", assessment.Reasons);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task AssessAsync_EndpointSaysMalicious_IsDenied()
    {
        _endpoint.Answer = c => c.Response.WriteAsJsonAsync(new { verdict = "malicious", reason = "exfiltration pattern" });
        var assessor = new ReviewedAssessor(new IntentAnalyzer(), Reviewer(), Options(), TimeProvider.System, new CapturingLogger<ReviewedAssessor>());

        var assessment = await assessor.AssessAsync(Borderline.Build(), CancellationToken.None);

        Assert.Equal(DecisionKind.Deny, assessment.Decision);
        Assert.Contains(assessment.Reasons, r => r.EndsWith("malicious (exfiltration pattern)", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_ToString_ShowsTheKeyReferenceNotAValue()
    {
        var text = Options().ToString();

        Assert.Contains("environment:AAB_REVIEWER_KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, text, StringComparison.Ordinal);
    }

    private OutsideReviewOptions Options() => new()
    {
        Enabled = true,
        Band = 20,
        Timeout = TimeSpan.FromSeconds(2),
        Endpoint = _endpoint.Endpoint,
        ApiKey = new SecretReference(SecretSource.Environment, "AAB_REVIEWER_KEY"),
    };

    private HttpOutsideReviewer Reviewer() =>
        new(_http, Options(), new DictionarySecretResolver(new Dictionary<string, string> { ["AAB_REVIEWER_KEY"] = ApiKey }));

    private static OutsideReviewRequest Request(AssessmentInput? input = null, Assessment? assessment = null)
    {
        input ??= Borderline.Build();
        assessment ??= new IntentAnalyzer().Assess(input);
        return new OutsideReviewRequest(input.Task.Description, input.Task.Environment, input.Task.ScopeHints, input.Request.Target, input.Request.Resources,
            input.Request.Actions, input.Request.Purpose, input.Request.RequestedDuration, assessment.Score, assessment.Decision, assessment.Factors);
    }
}
