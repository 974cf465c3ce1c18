namespace AgentAccessBroker.Server.Hosting;

/// <summary>The broker cannot start with this configuration; the message lists every problem, one per line.</summary>
public sealed class BrokerStartupException(string message) : Exception(message);
