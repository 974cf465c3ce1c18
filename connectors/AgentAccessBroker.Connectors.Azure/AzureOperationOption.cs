using Microsoft.Kiota.Abstractions;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Carries a Graph SDK call's description (for logs and errors; never a secret) to <see cref="AzurePipelineHandler"/>.</summary>
internal sealed class AzureOperationOption(string operation) : IRequestOption
{
    public string Operation { get; } = operation;
}
