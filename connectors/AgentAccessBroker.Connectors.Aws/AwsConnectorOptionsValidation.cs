using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>Reports every problem of the bound <see cref="AwsConnectorOptions"/> at start-up.</summary>
internal sealed class AwsConnectorOptionsValidation : IValidateOptions<AwsConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsConnectorOptions options) =>
        options.Validate() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
