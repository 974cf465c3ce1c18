namespace AgentAccessBroker.Connectors.Slack.Api;

/// <summary>
/// A Slack Web API call failed: <c>ok:false</c> with Slack's error code (<c>channel_not_found</c>...), rate limiting that
/// outlasted the retries (<c>ratelimited</c>), or an HTTP failure (<c>http_503</c>). The message names the method and
/// the code only, never a token or a response URL.
/// </summary>
internal sealed class SlackApiException(string method, string error) : Exception($"Slack {method} failed: {error}.")
{
    public string Method { get; } = method;

    /// <summary>Slack's error code, or one of <c>ratelimited</c>, <c>http_NNN</c>, <c>invalid_response</c>.</summary>
    public string Error { get; } = error;
}
