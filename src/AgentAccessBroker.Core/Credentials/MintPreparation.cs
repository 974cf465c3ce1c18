namespace AgentAccessBroker.Credentials;

/// <summary>
/// What a provider prepared for one mint (<see cref="IMintPreparer.Prepare"/>). Providers derive their own kind; it
/// may hold the credential's secret before it exists, so it never prints one.
/// </summary>
public abstract class MintPreparation
{
    public override string ToString() => "MintPreparation (redacted)";
}
