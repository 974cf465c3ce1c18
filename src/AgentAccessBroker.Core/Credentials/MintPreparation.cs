namespace AgentAccessBroker.Credentials;

/// <summary>
/// What a provider prepared for one mint (<see cref="ICredentialProvider.Prepare"/>). Providers derive their own
/// kind; it may hold the credential's secret before it exists, so it never prints one.
/// </summary>
public class MintPreparation
{
    /// <summary>Nothing prepared: the provider does all its work in <see cref="ICredentialProvider.MintAsync"/>.</summary>
    public static readonly MintPreparation None = new();

    public override string ToString() => "MintPreparation (redacted)";
}
