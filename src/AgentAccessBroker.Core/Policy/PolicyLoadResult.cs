namespace AgentAccessBroker.Policy;

/// <summary>The outcome of loading a policy: the policy when the file is valid, otherwise every problem found.</summary>
/// <param name="Policy">Null whenever <paramref name="Problems"/> is not empty: a policy with a problem is never used.</param>
/// <param name="Problems">Sorted by line, then column.</param>
public sealed record PolicyLoadResult(BrokerPolicy? Policy, IReadOnlyList<PolicyProblem> Problems)
{
    public bool IsValid => Policy is not null;

    /// <summary>Deprecation notices, sorted like <see cref="Problems"/>; reported whether or not the policy is valid.</summary>
    public IReadOnlyList<PolicyNotice> Notices { get; init; } = [];
}
