using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>Resolves the Teams secrets each time they are used, so rotated values apply without a restart. Errors name the reference, never the value.</summary>
internal sealed class TeamsSecrets(IOptions<TeamsConnectorOptions> options, IServiceProvider services)
{
    public string AppPassword() =>
        Resolve(options.Value.AppPassword, options.Value.AppPasswordRef, nameof(TeamsConnectorOptions.AppPassword));

    public string WorkflowsWebhookUrl() =>
        Resolve(options.Value.WorkflowsWebhookUrl, options.Value.WorkflowsWebhookUrlRef, nameof(TeamsConnectorOptions.WorkflowsWebhookUrl));

    private string Resolve(string? value, SecretReference? reference, string name)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (reference is null)
        {
            throw new InvalidOperationException($"Teams {name} is not configured: set {name} or {name}Ref.");
        }

        var resolver = services.GetService<ISecretResolver>()
            ?? throw new InvalidOperationException($"Teams {name}Ref {reference} needs an ISecretResolver, and none is registered.");
        var resolved = resolver.Resolve(reference);
        return string.IsNullOrEmpty(resolved)
            ? throw new InvalidOperationException($"Teams {name}Ref {reference} resolved to an empty value.")
            : resolved;
    }
}
