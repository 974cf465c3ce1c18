using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>Checks the Teams settings at start-up and reports every problem at once. Never echoes a secret.</summary>
internal sealed class TeamsConnectorOptionsValidator(IServiceProvider services) : IValidateOptions<TeamsConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsConnectorOptions options)
    {
        var problems = new List<string>();
        var resolver = services.GetService<ISecretResolver>();
        if (!Enum.IsDefined(options.Mode))
        {
            problems.Add($"Teams:Mode: '{options.Mode}' is not one of Bot, Workflows.");
        }

        if (options.Mode == TeamsConnectionMode.Bot)
        {
            if (string.IsNullOrWhiteSpace(options.AppId))
            {
                problems.Add("Teams:AppId: the Azure Bot's Microsoft App ID is required in Bot mode.");
            }

            if (string.IsNullOrWhiteSpace(options.TenantId))
            {
                problems.Add("Teams:TenantId: the Entra tenant of the bot's app registration is required in Bot mode.");
            }

            CheckSecret(problems, options.AppPassword, options.AppPasswordRef, nameof(options.AppPassword), resolver);
            CheckUrl(problems, options.AuthorityHost, nameof(options.AuthorityHost));
            CheckUrl(problems, options.OpenIdMetadataUrl, nameof(options.OpenIdMetadataUrl));
            if (options.ServiceUrl is not null)
            {
                CheckUrl(problems, options.ServiceUrl, nameof(options.ServiceUrl));
            }

            if (options.ValidIssuers.Count == 0)
            {
                problems.Add("Teams:ValidIssuers: at least one issuer is required.");
            }
        }
        else if (options.Mode == TeamsConnectionMode.Workflows)
        {
            CheckSecret(problems, options.WorkflowsWebhookUrl, options.WorkflowsWebhookUrlRef, nameof(options.WorkflowsWebhookUrl), resolver);
            if (options.ConsoleBaseUrl is null)
            {
                problems.Add("Teams:ConsoleBaseUrl: the broker's public URL is required in Workflows mode (cards link to its approval page).");
            }
            else
            {
                CheckUrl(problems, options.ConsoleBaseUrl, nameof(options.ConsoleBaseUrl));
            }
        }

        if (options.ShorterDuration <= TimeSpan.Zero)
        {
            problems.Add("Teams:ShorterDuration: must be positive.");
        }

        if (options.MaxRetryAttempts is < 0 or > 10)
        {
            problems.Add("Teams:MaxRetryAttempts: must be between 0 and 10.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.ClockSkew < TimeSpan.Zero || options.SigningKeyRefreshInterval <= TimeSpan.Zero)
        {
            problems.Add("Teams:RequestTimeout, ClockSkew, SigningKeyRefreshInterval: must be positive.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void CheckUrl(List<string> problems, Uri? url, string name)
    {
        if (url is not { IsAbsoluteUri: true } || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            problems.Add($"Teams:{name}: must be an absolute http(s) URL.");
        }
    }

    private static void CheckSecret(List<string> problems, string? value, SecretReference? reference, string name, ISecretResolver? resolver)
    {
        if (!string.IsNullOrEmpty(value))
        {
            return;
        }

        if (reference is null)
        {
            problems.Add($"Teams:{name}: set {name}Ref (a secret reference) or {name}.");
            return;
        }

        if (resolver is null)
        {
            problems.Add($"Teams:{name}Ref: {reference} needs an ISecretResolver, and none is registered.");
            return;
        }

        try
        {
            if (string.IsNullOrEmpty(resolver.Resolve(reference)))
            {
                problems.Add($"Teams:{name}Ref: {reference} resolved to an empty value.");
            }
        }
        catch (InvalidOperationException)
        {
            problems.Add($"Teams:{name}Ref: {reference} could not be resolved.");
        }
    }
}
