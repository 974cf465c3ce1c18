using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack;

/// <summary>Checks the Slack settings at start-up and reports every problem at once. Never echoes a secret.</summary>
internal sealed class SlackConnectorOptionsValidator(IServiceProvider services) : IValidateOptions<SlackConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackConnectorOptions options)
    {
        var problems = new List<string>();
        var resolver = services.GetService<ISecretResolver>();
        var http = options.Mode is SlackConnectionMode.Http or SlackConnectionMode.Both;
        var socket = options.Mode is SlackConnectionMode.SocketMode or SlackConnectionMode.Both;

        if (!Enum.IsDefined(options.Mode))
        {
            problems.Add($"Channels:Slack:Mode: '{options.Mode}' is not one of Http, SocketMode, Both.");
        }

        CheckSecret(problems, options.BotToken, options.BotTokenRef, nameof(options.BotToken), resolver, prefix: null);
        if (http)
        {
            CheckSecret(problems, options.SigningSecret, options.SigningSecretRef, nameof(options.SigningSecret), resolver, prefix: null);
        }

        if (socket)
        {
            CheckSecret(problems, options.AppToken, options.AppTokenRef, nameof(options.AppToken), resolver, prefix: "xapp-");
        }

        if (options.ApiBaseUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add("Channels:Slack:ApiBaseUrl: must be an absolute http(s) URL.");
        }

        if (options.ShorterDuration <= TimeSpan.Zero)
        {
            problems.Add("Channels:Slack:ShorterDuration: must be positive.");
        }

        if (options.DefaultChannel is { Length: 0 })
        {
            problems.Add("Channels:Slack:DefaultChannel: must be a channel id or left unset.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            problems.Add("Channels:Slack:MaxRetryAttempts: must be between 0 and 10.");
        }

        if (options.RetryBaseDelay <= TimeSpan.Zero || options.MaxRetryAfter < TimeSpan.Zero || options.RequestTimeout <= TimeSpan.Zero)
        {
            problems.Add("Channels:Slack:RetryBaseDelay, MaxRetryAfter, RequestTimeout: must be positive.");
        }

        if (options.QueueCapacity < 1 || options.WorkerCount < 1)
        {
            problems.Add("Channels:Slack:QueueCapacity, WorkerCount: must be at least 1.");
        }

        if (options.ReconnectBaseDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectBaseDelay)
        {
            problems.Add("Channels:Slack:ReconnectBaseDelay: must be positive and not above ReconnectMaxDelay.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckSecret(
        List<string> problems, string? value, SecretReference? reference, string name, ISecretResolver? resolver, string? prefix)
    {
        string resolved;
        try
        {
            resolved = SlackSecrets.Resolve(value, reference, name, resolver);
        }
        catch (InvalidOperationException ex)
        {
            // The resolver's contract is to name the reference, never the value, so its message is safe to report.
            problems.Add($"Channels:Slack:{name}: {ex.Message}");
            return;
        }

        if (prefix is not null && !resolved.StartsWith(prefix, StringComparison.Ordinal))
        {
            problems.Add($"Channels:Slack:{name}: must be an app-level token starting with '{prefix}'.");
        }
    }
}
