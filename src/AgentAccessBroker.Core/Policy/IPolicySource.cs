namespace AgentAccessBroker.Policy;

/// <summary>The policy in force right now. Reloads swap it atomically; a rejected edit leaves the last good one.</summary>
public interface IPolicySource
{
    BrokerPolicy Current { get; }
}
