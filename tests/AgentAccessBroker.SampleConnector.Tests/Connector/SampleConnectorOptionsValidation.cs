using Microsoft.Extensions.Options;

namespace AgentAccessBroker.SampleConnector.Connector;

/// <summary>Reports every problem of the bound <see cref="SampleConnectorOptions"/> at start-up.</summary>
internal sealed class SampleConnectorOptionsValidation : IValidateOptions<SampleConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, SampleConnectorOptions options) =>
        options.TokenBytes is < 16 or > 64
            ? ValidateOptionsResult.Fail($"Connectors:Sample:{nameof(SampleConnectorOptions.TokenBytes)} must be between 16 and 64 (was {options.TokenBytes}).")
            : ValidateOptionsResult.Success;
}
