namespace AgentAccessBroker.LocalPostgres;

/// <summary>A throwaway cluster could not be started; the message is one line that says what to do.</summary>
public sealed class LocalPostgresUnavailableException : Exception
{
    public LocalPostgresUnavailableException(string message)
        : base(message)
    {
    }
}
