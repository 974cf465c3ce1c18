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
    // Every request looks up its agent and its target, several times: by key, not by a scan of a policy that may
    // declare thousands of agents. Each index remembers the list it was built from, so a copy made with `with` and
    // another list builds its own.
    private ByName<TargetPolicy>? _targets;
    private ByName<AgentPolicy>? _agents;

    public TargetPolicy? FindTarget(string name) => ByName<TargetPolicy>.Of(ref _targets, Targets, t => t.Name).Find(name);

    public AgentPolicy? FindAgent(string id) => ByName<AgentPolicy>.Of(ref _agents, Agents, a => a.Id).Find(id);

    public ApproverGroup? FindApproverGroup(string name) =>
        ApproverGroups.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.Ordinal));

    public SensitivityRules RulesFor(Sensitivity sensitivity) => Sensitivities[sensitivity];

    /// <summary>Items by their ordinal name; the first of a name wins, as a scan in order would find it.</summary>
    private sealed class ByName<T>
        where T : class
    {
        private readonly IReadOnlyList<T> _source;
        private readonly Dictionary<string, T> _byName = new(StringComparer.Ordinal);

        private ByName(IReadOnlyList<T> source, Func<T, string> name)
        {
            _source = source;
            foreach (var item in source)
            {
                _byName.TryAdd(name(item), item);
            }
        }

        public static ByName<T> Of(ref ByName<T>? cached, IReadOnlyList<T> source, Func<T, string> name)
        {
            var index = Volatile.Read(ref cached);
            if (index is null || !ReferenceEquals(index._source, source))
            {
                // Built at most once per list in practice; two threads building at once build the same index.
                index = new ByName<T>(source, name);
                Volatile.Write(ref cached, index);
            }

            return index;
        }

        public T? Find(string name) => _byName.GetValueOrDefault(name);
    }
}
