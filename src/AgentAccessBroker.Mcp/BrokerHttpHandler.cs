namespace AgentAccessBroker.Mcp;

/// <summary>The HTTP handler under the broker client; disposed with the container only when this server created it.</summary>
internal sealed record BrokerHttpHandler(HttpMessageHandler Handler, bool Owned) : IDisposable
{
    public void Dispose()
    {
        if (Owned)
        {
            Handler.Dispose();
        }
    }
}
