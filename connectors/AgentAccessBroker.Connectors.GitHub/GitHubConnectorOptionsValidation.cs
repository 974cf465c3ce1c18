using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>Checks <see cref="GitHubConnectorOptions"/> at start-up, reporting every problem at once.</summary>
internal sealed class GitHubConnectorOptionsValidation : IValidateOptions<GitHubConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubConnectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => "Connectors:GitHub: " + p));
    }
}
