namespace AgentAccessBroker.IntentAnalysis.Classification;

/// <summary>
/// Markers a granted request leaves in <see cref="Decisions.TaskHistory.Signals"/> so that later requests in the same task
/// can be judged as part of a chain (create identity, then attach policy; open network, then read data...).
/// </summary>
public static class ChainSignals
{
    public const string IdentityCreated = "identity_created";
    public const string PolicyAttached = "policy_attached";
    public const string NetworkOpened = "network_opened";
    public const string DataStoreAccessed = "data_store_accessed";
    public const string SecretRead = "secret_read";
    public const string LoggingWeakened = "logging_weakened";

    /// <summary>Prefix of the marker recording which environments a task touched (<c>env:prod</c>).</summary>
    public const string EnvironmentPrefix = "env:";

    /// <summary>Prefix of the marker recording where a secret was read (<c>secret_read@dev</c>).</summary>
    public const string SecretReadInPrefix = "secret_read@";

    public static string Environment(string environment) => EnvironmentPrefix + environment;

    public static string SecretReadIn(string environment) => SecretReadInPrefix + environment;
}
