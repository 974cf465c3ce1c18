using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>
/// The optional second stage. Off by default. When on, requests whose score lies within <see cref="Band"/> points of
/// the automatic-grant threshold are shown to an outside reviewer, which can only add caution.
/// </summary>
public sealed class OutsideReviewOptions
{
    public bool Enabled { get; set; }

    /// <summary>Scores from <c>grant_below - Band</c> to <c>grant_below + Band - 1</c> are borderline.</summary>
    public int Band { get; set; } = 10;

    /// <summary>After this long without an answer a human decides instead.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>For the built-in HTTP reviewer: where to POST review requests (protocol <c>aab-review/1</c>, see docs/DECISIONS.md).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>For the built-in HTTP reviewer: a bearer token, by reference, resolved when a review is sent.</summary>
    public SecretReference? ApiKey { get; set; }

    public override string ToString() =>
        $"OutsideReviewOptions {{ Enabled = {Enabled}, Band = {Band}, Timeout = {Timeout}, Endpoint = {Endpoint}, ApiKey = {(ApiKey is null ? "none" : ApiKey.ToString())} }}";
}
