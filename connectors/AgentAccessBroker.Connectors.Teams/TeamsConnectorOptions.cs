using System.Text;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>
/// Settings of the Teams approval channel. Secrets are given either as resolved values or, preferably, as references
/// resolved through <see cref="ISecretResolver"/> when used. A value wins over its reference. <see cref="ToString"/>
/// never shows a secret value (the app password and the Workflows webhook URL are both secrets: the URL carries its
/// own signature).
/// </summary>
public sealed class TeamsConnectorOptions
{
    /// <summary>The Bot Framework issuer of tokens sent to a bot.</summary>
    public const string BotFrameworkIssuer = "https://api.botframework.com";

    /// <summary>Bot (in-Teams buttons) or Workflows (webhook card linking to the console).</summary>
    public TeamsConnectionMode Mode { get; set; } = TeamsConnectionMode.Bot;

    /// <summary>The Azure Bot's Microsoft App ID (Entra application client id): the audience of tokens sent to the bot.</summary>
    public string? AppId { get; set; }

    /// <summary>The Entra tenant the bot's app registration lives in (single-tenant bots); the token endpoint's tenant.</summary>
    public string? TenantId { get; set; }

    /// <summary>The app's client secret, by reference.</summary>
    public SecretReference? AppPasswordRef { get; set; } = new(SecretSource.Environment, "AAB_TEAMS_APP_PASSWORD");

    /// <summary>The resolved client secret, when not given by reference.</summary>
    public string? AppPassword { get; set; }

    /// <summary>Entra authority host; the token endpoint is <c>{AuthorityHost}{TenantId}/oauth2/v2.0/token</c>. Tests point it at a fake.</summary>
    public Uri AuthorityHost { get; set; } = new("https://login.microsoftonline.com/");

    /// <summary>Scope asked for in the client-credentials grant.</summary>
    public string BotConnectorScope { get; set; } = "https://api.botframework.com/.default";

    /// <summary>The Bot Framework's OpenID metadata document, whose <c>jwks_uri</c> holds the keys that sign tokens sent to the bot.</summary>
    public Uri OpenIdMetadataUrl { get; set; } = new("https://login.botframework.com/v1/.well-known/openidconfiguration");

    /// <summary>Accepted token issuers.</summary>
    public IList<string> ValidIssuers { get; } = [BotFrameworkIssuer];

    /// <summary>How long signing keys are trusted before they are fetched again (an unknown <c>kid</c> refreshes sooner).</summary>
    public TimeSpan SigningKeyRefreshInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Least time between two refreshes caused by unknown <c>kid</c>s, so forged tokens cannot hammer the metadata endpoint.</summary>
    public TimeSpan SigningKeyMinimumRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Clock skew tolerated on token lifetimes (the Bot Framework allows 5 minutes).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Bot Connector service URL of the tenant (<c>https://smba.trafficmanager.net/teams/</c> or the regional one the bot received).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Conversation (channel, <c>19:…@thread.tacv2</c>) the bot posts to when the policy names none for the group.</summary>
    public string? DefaultConversationId { get; set; }

    /// <summary>The Workflows trigger URL ("When a Teams webhook request is received"), by reference. It is a bearer capability.</summary>
    public SecretReference? WorkflowsWebhookUrlRef { get; set; } = new(SecretSource.Environment, "AAB_TEAMS_WORKFLOWS_URL");

    /// <summary>The resolved Workflows URL, when not given by reference.</summary>
    public string? WorkflowsWebhookUrl { get; set; }

    /// <summary>The broker's public base URL; Workflows cards link to <c>{ConsoleBaseUrl}approvals/{requestId}</c>.</summary>
    public Uri? ConsoleBaseUrl { get; set; }

    /// <summary>Duration offered by "Approve for 15 min" (offered only when shorter than the request).</summary>
    public TimeSpan ShorterDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Retries of one outgoing call after 429 or 5xx.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Longest <c>Retry-After</c> honoured; a longer one fails the call at once.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First backoff delay after a 5xx or transport error; doubles per attempt.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one outgoing HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public override string ToString()
    {
        var text = new StringBuilder("TeamsConnectorOptions { ");
        text.Append("Mode = ").Append(Mode)
            .Append(", AppId = ").Append(AppId ?? "(none)")
            .Append(", TenantId = ").Append(TenantId ?? "(none)")
            .Append(", ServiceUrl = ").Append(ServiceUrl?.ToString() ?? "(none)")
            .Append(", DefaultConversationId = ").Append(DefaultConversationId ?? "(none)")
            .Append(", ConsoleBaseUrl = ").Append(ConsoleBaseUrl?.ToString() ?? "(none)")
            .Append(", AppPassword = ").Append(Describe(AppPassword, AppPasswordRef))
            .Append(", WorkflowsWebhookUrl = ").Append(Describe(WorkflowsWebhookUrl, WorkflowsWebhookUrlRef))
            .Append(" }");
        return text.ToString();
    }

    private static string Describe(string? value, SecretReference? reference) =>
        value is not null ? "[redacted]" : reference is not null ? reference.ToString() : "(none)";
}
