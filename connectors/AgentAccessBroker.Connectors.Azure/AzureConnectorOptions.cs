using Azure.Core;
using Azure.Core.Pipeline;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Options of the Azure connector (connector name <c>azure</c>).</summary>
/// <remarks>
/// Security contract: <see cref="BrokerCredential"/> is the broker's own identity. It writes and deletes role assignments
/// (and, in client-secret mode, application secrets) and must hold no more than the Role Based Access Control
/// Administrator role under the condition shipped in <c>infra/azure</c>, which limits the roles it may hand out.
/// The agents' credentials never come from here: each policy target names its agent service principal and gives that
/// principal's credential by reference.
/// </remarks>
public sealed class AzureConnectorOptions
{
    /// <summary>The broker's own Entra ID identity. Defaults to <c>DefaultAzureCredential</c> when left null.</summary>
    public TokenCredential? BrokerCredential { get; set; }

    /// <summary>
    /// Replaces the HTTP transport of every Azure call (ARM, Microsoft Graph, Entra ID token endpoint). Tests point it at
    /// a loopback HTTPS fake; production leaves it null.
    /// </summary>
    public HttpPipelineTransport? Transport { get; set; }

    /// <summary>How many times a throttled (429), failing (5xx) or timed-out Azure call is retried, and how many times
    /// <c>PrincipalNotFound</c> is retried while a new service principal replicates.</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>First back-off delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest single wait. A <c>Retry-After</c> longer than this is not waited out: the call fails instead.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times a new role assignment is read back before it counts as not visible (eventual consistency).</summary>
    public int VisibilityChecks { get; set; } = 10;

    /// <summary>Time limit of one HTTP attempt.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// In client-secret mode, how long after the lease's secret ends an access token obtained with it may still be
    /// valid: the revoked lease is re-verified until then. Entra ID's default access-token lifetime is 60-90 minutes;
    /// raise this for a tenant with a longer configured token lifetime or with CAE tokens (up to 28 hours). In the other
    /// modes the broker knows the token it handed over and watches until that token expires.
    /// </summary>
    public TimeSpan RevokedTokenLifetime { get; set; } = TimeSpan.FromMinutes(90);
}
