using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// What a provider's local preparation (<see cref="ICredentialProvider.Prepare"/>) produced for one target, or why it
/// failed, and how long it took. It may hold a secret before the credential exists, so it never prints one.
/// </summary>
public sealed class CredentialPreparation(ICredentialProvider provider, TargetSettings target, MintPreparation? prepared, Exception? failure, TimeSpan took)
{
    public ICredentialProvider Provider { get; } = provider;

    /// <summary>The target's settings it was made for: a policy reload replaces them, and with them the preparation.</summary>
    public TargetSettings Target { get; } = target;

    /// <summary>Null when the preparation failed.</summary>
    public MintPreparation? Prepared { get; } = prepared;

    public Exception? Failure { get; } = failure;

    public TimeSpan Took { get; } = took;

    public override string ToString() => $"CredentialPreparation {{ Provider = {Provider.Name}, Failed = {Failure is not null} }}";
}
