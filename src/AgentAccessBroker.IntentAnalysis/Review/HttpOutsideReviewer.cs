using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>
/// An outside reviewer behind an HTTP endpoint speaking <c>aab-review/1</c>: one JSON POST per review, one JSON answer
/// <c>{"verdict": "consistent" | "suspicious" | "malicious", "reason": "..."}</c> (documented in docs/DECISIONS.md).
/// Anything else, including any status other than 200, is a failure, which the caller turns into a human decision.
/// </summary>
internal sealed class HttpOutsideReviewer : IOutsideReviewer
{
    public const string Protocol = "aab-review/1";

    /// <summary>Answers larger than this are refused unread.</summary>
    private const int MaxAnswerBytes = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly SecretReference? _apiKey;
    private readonly ISecretResolver? _secrets;

    public HttpOutsideReviewer(HttpClient http, OutsideReviewOptions options, ISecretResolver? secrets)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _endpoint = options.Endpoint ?? throw new ArgumentException("the outside reviewer needs an endpoint", nameof(options));
        _apiKey = options.ApiKey;
        _secrets = secrets;
        if (_apiKey is not null && _secrets is null)
        {
            throw new ArgumentException("an API key reference needs a secret resolver", nameof(secrets));
        }
    }

    public string Name => "http:" + _endpoint.GetLeftPart(UriPartial.Path);

    public async Task<OutsideReview> ReviewAsync(OutsideReviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = JsonContent.Create(WireRequest.From(request), options: Json),
        };
        if (_apiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _secrets!.Resolve(_apiKey));
        }

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode != 200)
        {
            throw new OutsideReviewException($"the reviewer answered HTTP {(int)response.StatusCode}");
        }

        if (response.Content.Headers.ContentLength is > MaxAnswerBytes)
        {
            throw new OutsideReviewException("the reviewer's answer is too large");
        }

        WireAnswer? answer;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var bounded = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (bounded.Length + read > MaxAnswerBytes)
                {
                    throw new OutsideReviewException("the reviewer's answer is too large");
                }

                bounded.Write(buffer, 0, read);
            }

            answer = JsonSerializer.Deserialize<WireAnswer>(bounded.GetBuffer().AsSpan(0, (int)bounded.Length), Json);
        }
        catch (JsonException ex)
        {
            throw new OutsideReviewException("the reviewer's answer is not JSON", ex);
        }

        var verdict = answer?.Verdict switch
        {
            "consistent" => OutsideVerdict.Consistent,
            "suspicious" => OutsideVerdict.Suspicious,
            "malicious" => OutsideVerdict.Malicious,
            _ => throw new OutsideReviewException("the reviewer's answer has no known verdict"),
        };
        return new OutsideReview(verdict, answer.Reason ?? string.Empty);
    }

    private sealed record WireAnswer(string? Verdict, string? Reason);

    private sealed record WireTask(string Description, string? Environment, IReadOnlyList<string> ScopeHints);

    private sealed record WireRequestPart(string Target, IReadOnlyList<string> Resources, IReadOnlyList<string> Actions, string Purpose, long DurationSeconds);

    private sealed record WireFactor(string Code, int Points, string Explanation);

    private sealed record WireAssessment(int Score, string ProposedDecision, IReadOnlyList<WireFactor> Factors);

    private sealed record WireRequest(string Protocol, WireTask Task, WireRequestPart Request, WireAssessment Assessment)
    {
        public static WireRequest From(OutsideReviewRequest r) => new(
            HttpOutsideReviewer.Protocol,
            new WireTask(r.TaskDescription, r.TaskEnvironment, r.ScopeHints),
            new WireRequestPart(r.Target, r.Resources, r.Actions, r.Purpose, (long)r.Duration.TotalSeconds),
            new WireAssessment(
                r.Score,
                r.ProposedDecision switch
                {
                    DecisionKind.Grant => "grant",
                    DecisionKind.RequireApproval => "require_approval",
                    _ => "deny",
                },
                [.. r.Factors.Select(f => new WireFactor(f.Code, f.Points, f.Explanation))]));
    }
}
