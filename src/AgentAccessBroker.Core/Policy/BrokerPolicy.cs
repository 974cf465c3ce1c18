using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy;

/// <summary>The validated, immutable policy in force. Loaded from YAML; see <c>infra/policy/example-policy.yaml</c>.</summary>
/// <param name="Source">The file it came from, for messages.</param>
/// <param name="Version">A hash of the file's content, recorded in audit events so decisions can be traced to a policy.</param>
public sealed record BrokerPolicy(
    string Source,
    string Version,
    IReadOnlyDictionary<Sensitivity, SensitivityRules> Sensitivities,
    IReadOnlyList<AgentPolicy> Agents,
    IReadOnlyList<ApproverGroup> ApproverGroups,
    IReadOnlyList<HardRule> Rules,
    IReadOnlyList<TargetPolicy> Targets,
    EscalationRules Escalation)
{
    public TargetPolicy? FindTarget(string name) =>
        Targets.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    public AgentPolicy? FindAgent(string id) =>
        Agents.FirstOrDefault(a => string.Equals(a.Id, id, StringComparison.Ordinal));

    public ApproverGroup? FindApproverGroup(string name) =>
        ApproverGroups.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.Ordinal));

    public SensitivityRules RulesFor(Sensitivity sensitivity) => Sensitivities[sensitivity];
}
