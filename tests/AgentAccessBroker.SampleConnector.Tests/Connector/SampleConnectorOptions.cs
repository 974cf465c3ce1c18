namespace AgentAccessBroker.SampleConnector.Connector;

/// <summary>Broker-wide settings of the sample connector, bound from <c>Connectors:Sample</c>.</summary>
public sealed class SampleConnectorOptions
{
    /// <summary>How many random bytes a minted token has (16 to 64).</summary>
    public int TokenBytes { get; set; } = 32;
}
