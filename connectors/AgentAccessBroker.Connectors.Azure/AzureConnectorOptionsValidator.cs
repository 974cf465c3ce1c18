using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Reports every bad option at once, with the option's name.</summary>
internal sealed class AzureConnectorOptionsValidator : IValidateOptions<AzureConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureConnectorOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRetries is < 0 or > 20)
        {
            failures.Add($"{nameof(AzureConnectorOptions.MaxRetries)} must be between 0 and 20.");
        }

        if (options.VisibilityChecks is < 1 or > 60)
        {
            failures.Add($"{nameof(AzureConnectorOptions.VisibilityChecks)} must be between 1 and 60.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{nameof(AzureConnectorOptions.RetryDelay)} must not be negative.");
        }

        if (options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add($"{nameof(AzureConnectorOptions.MaxRetryDelay)} must be at least {nameof(AzureConnectorOptions.RetryDelay)}.");
        }

        if (options.NetworkTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{nameof(AzureConnectorOptions.NetworkTimeout)} must be positive.");
        }

        if (options.RevokedTokenLifetime < TimeSpan.Zero || options.RevokedTokenLifetime > TimeSpan.FromDays(2))
        {
            failures.Add($"{nameof(AzureConnectorOptions.RevokedTokenLifetime)} must be between 0 and 2 days.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
