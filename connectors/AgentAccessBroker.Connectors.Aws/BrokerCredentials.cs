using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>The broker's own AWS identity: injected credentials, or the standard SDK chain resolved on first use.</summary>
internal sealed class BrokerCredentials(AWSCredentials? injected)
{
    private readonly Lazy<AWSCredentials> _credentials = new(() => injected ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(), LazyThreadSafetyMode.ExecutionAndPublication);

    public AWSCredentials Credentials => _credentials.Value;

    /// <summary>Current keys; refreshing credentials (instance profile, web identity...) rotate under the hood.</summary>
    public Task<ImmutableCredentials> GetAsync(CancellationToken cancellationToken) => Credentials.GetCredentialsAsync();

    /// <summary>
    /// Whether AssumeRole from these credentials is role chaining (sessions capped at one hour). Known role-credential
    /// sources say yes; instance profiles are exempt per AWS's docs; long-term keys say no. Unknown temporary
    /// credentials are assumed to be role credentials: a wrong "yes" only shortens sessions, a wrong "no" fails the
    /// call (and the provider then retries capped).
    /// </summary>
    public bool AreRoleCredentials(ImmutableCredentials current) => Credentials switch
    {
        // The default chain's EC2 source is an internal SDK type, hence the name check.
        InstanceProfileAWSCredentials => false,
        _ when Credentials.GetType().Name == "DefaultInstanceProfileAWSCredentials" => false,
        AssumeRoleAWSCredentials or AssumeRoleWithWebIdentityCredentials or SSOAWSCredentials or GenericContainerCredentials => true,
        _ => current.UseToken,
    };
}
