namespace AgentAccessBroker.Credentials;

/// <summary>Where a secret lives: an environment variable or a file. Policies never hold secrets inline.</summary>
/// <remarks>Bound from configuration as <c>env:NAME</c> or <c>file:PATH</c> (see <see cref="SecretReferenceConverter"/>).</remarks>
[System.ComponentModel.TypeConverter(typeof(SecretReferenceConverter))]
public sealed record SecretReference(SecretSource Source, string Location)
{
    public override string ToString() => $"{Source.ToString().ToLowerInvariant()}:{Location}";
}

public enum SecretSource
{
    Environment = 0,
    File = 1,
}
