namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// Broker-wide settings of the GitHub connector (configuration section <c>Connectors:GitHub</c>). Per-target settings
/// (app id, installation, private key reference, API URL, allowed permissions) live in the policy file.
/// </summary>
public sealed class GitHubConnectorOptions
{
    /// <summary>How long one GitHub API call may take before it counts as a timeout.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How far GitHub's clock may run behind the broker's: a token whose expiry falls at most this much before the lease
    /// end is accepted (it dies first, which is safe); an earlier one is revoked and the mint refused.
    /// </summary>
    public TimeSpan ClockSkewTolerance { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Returns every problem with these options (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (RequestTimeout < TimeSpan.FromMilliseconds(10) || RequestTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{nameof(RequestTimeout)} must be between 10 ms and 5 minutes.");
        }

        if (ClockSkewTolerance < TimeSpan.Zero || ClockSkewTolerance > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{nameof(ClockSkewTolerance)} must be between 0 and 10 minutes.");
        }

        return problems;
    }
}
