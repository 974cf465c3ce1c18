namespace AgentAccessBroker.Credentials;

/// <summary>Where a secret lives: an environment variable or a file. Policies never hold secrets inline.</summary>
public sealed record SecretReference(SecretSource Source, string Location)
{
    public override string ToString() => $"{Source.ToString().ToLowerInvariant()}:{Location}";
}

public enum SecretSource
{
    Environment = 0,
    File = 1,
}
