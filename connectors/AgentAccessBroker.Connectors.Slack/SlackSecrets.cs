using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack;

/// <summary>Resolves the Slack secrets each time they are used, so rotated values apply without a restart.</summary>
internal sealed class SlackSecrets(IOptions<SlackConnectorOptions> options, IServiceProvider services)
{
    public string BotToken() => Resolve(options.Value.BotToken, options.Value.BotTokenRef, nameof(SlackConnectorOptions.BotToken));

    public string SigningSecret() =>
        Resolve(options.Value.SigningSecret, options.Value.SigningSecretRef, nameof(SlackConnectorOptions.SigningSecret));

    public string AppToken() => Resolve(options.Value.AppToken, options.Value.AppTokenRef, nameof(SlackConnectorOptions.AppToken));

    internal static string Resolve(string? value, SecretReference? reference, string name, ISecretResolver? resolver)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (reference is null)
        {
            throw new InvalidOperationException($"Slack {name} is not configured: set {name} or {name}Ref.");
        }

        if (resolver is null)
        {
            throw new InvalidOperationException($"Slack {name}Ref {reference} needs an ISecretResolver, and none is registered.");
        }

        var resolved = resolver.Resolve(reference);
        return string.IsNullOrEmpty(resolved)
            ? throw new InvalidOperationException($"Slack {name}Ref {reference} resolved to an empty value.")
            : resolved;
    }

    private string Resolve(string? value, SecretReference? reference, string name) =>
        Resolve(value, reference, name, services.GetService<ISecretResolver>());
}
