using Amazon.Runtime;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// Broker-wide settings of the AWS connector. Per-target settings (role ARN, region, ...) live in the policy file.
/// </summary>
/// <remarks>
/// Security contract: the broker's own AWS credentials are never read from the policy. They come from
/// <see cref="BrokerCredentials"/> when set (tests, special hosts) and otherwise from the standard AWS SDK credential chain
/// (environment, profile, web identity, container, instance metadata), resolved on first use.
/// </remarks>
public sealed class AwsConnectorOptions
{
    /// <summary>The broker's own credentials. Null (the default) means the standard AWS SDK credential chain.</summary>
    public AWSCredentials? BrokerCredentials { get; set; }

    /// <summary>How many times a throttled, failed (5xx) or timed-out AWS call is retried. 0 disables retries.</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest single retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt of one AWS call may take before it counts as a timeout and is retried.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after it was sent a deny-policy write that got no answer may still reach IAM and replace a later
    /// document. AWS refuses a SigV4 request five minutes after its signing time; the extra minute covers a broker clock
    /// that runs behind AWS's. After this window the broker re-reads the policy and re-adds what a late write removed.
    /// </summary>
    public TimeSpan LateWriteWindow { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>Returns every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxRetryAttempts is < 0 or > 10)
        {
            problems.Add($"{nameof(MaxRetryAttempts)} must be between 0 and 10 (was {MaxRetryAttempts}).");
        }

        if (RetryBaseDelay <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(RetryBaseDelay)} must be positive.");
        }

        if (RetryMaxDelay < RetryBaseDelay)
        {
            problems.Add($"{nameof(RetryMaxDelay)} must not be shorter than {nameof(RetryBaseDelay)}.");
        }

        if (AttemptTimeout < TimeSpan.FromMilliseconds(10) || AttemptTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{nameof(AttemptTimeout)} must be between 10 ms and 5 minutes.");
        }

        if (LateWriteWindow < TimeSpan.Zero || LateWriteWindow > TimeSpan.FromHours(1))
        {
            problems.Add($"{nameof(LateWriteWindow)} must be between 0 and 1 hour.");
        }

        return problems;
    }
}
