using System.Text;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Slack;

/// <summary>
/// Settings of the Slack approval channel. Secrets are given either as resolved values or, preferably, as references
/// resolved through <see cref="ISecretResolver"/> when used. A value wins over its reference. <see cref="ToString"/>
/// never shows a secret value.
/// </summary>
public sealed class SlackConnectorOptions
{
    /// <summary>Http (signed Request URL), SocketMode (outbound WebSocket) or Both.</summary>
    public SlackConnectionMode Mode { get; set; } = SlackConnectionMode.Http;

    /// <summary>Bot token (<c>xoxb-</c>) used for <c>chat.postMessage</c> and <c>chat.update</c>.</summary>
    public SecretReference? BotTokenRef { get; set; } = new(SecretSource.Environment, "AAB_SLACK_BOT_TOKEN");

    /// <summary>The resolved bot token, when not given by reference.</summary>
    public string? BotToken { get; set; }

    /// <summary>Signing secret that authenticates interactivity requests (Http mode).</summary>
    public SecretReference? SigningSecretRef { get; set; } = new(SecretSource.Environment, "AAB_SLACK_SIGNING_SECRET");

    /// <summary>The resolved signing secret, when not given by reference.</summary>
    public string? SigningSecret { get; set; }

    /// <summary>App-level token (<c>xapp-</c>, scope <c>connections:write</c>) for Socket Mode.</summary>
    public SecretReference? AppTokenRef { get; set; } = new(SecretSource.Environment, "AAB_SLACK_APP_TOKEN");

    /// <summary>The resolved app-level token, when not given by reference.</summary>
    public string? AppToken { get; set; }

    /// <summary>Slack Web API base; tests point it at a local fake.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://slack.com/api/");

    /// <summary>Channel id used when the policy names none for the approver group. Null: such requests are not announced on Slack.</summary>
    public string? DefaultChannel { get; set; }

    /// <summary>Duration offered by the "Approve for a shorter time" button (offered only when shorter than the request).</summary>
    public TimeSpan ShorterDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Retries of one Web API call after 429 or 5xx.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First backoff delay after a 5xx or a transport error; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest <c>Retry-After</c> honoured; a longer one fails the call at once with <c>ratelimited</c>.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one HTTP attempt against Slack.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Clicks waiting to be processed; when full, the endpoint answers 503 instead of blocking.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Clicks processed in parallel. Clicks on the same request are always processed in order.</summary>
    public int WorkerCount { get; set; } = 4;

    /// <summary>First delay before reconnecting a dropped Socket Mode connection; doubles per attempt, with jitter.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between Socket Mode reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    public override string ToString()
    {
        var text = new StringBuilder("SlackConnectorOptions { ");
        text.Append("Mode = ").Append(Mode)
            .Append(", ApiBaseUrl = ").Append(ApiBaseUrl)
            .Append(", DefaultChannel = ").Append(DefaultChannel ?? "(none)")
            .Append(", ShorterDuration = ").Append(ShorterDuration)
            .Append(", BotToken = ").Append(Describe(BotToken, BotTokenRef))
            .Append(", SigningSecret = ").Append(Describe(SigningSecret, SigningSecretRef))
            .Append(", AppToken = ").Append(Describe(AppToken, AppTokenRef))
            .Append(" }");
        return text.ToString();
    }

    private static string Describe(string? value, SecretReference? reference) =>
        value is not null ? "[redacted]" : reference is not null ? reference.ToString() : "(none)";
}
