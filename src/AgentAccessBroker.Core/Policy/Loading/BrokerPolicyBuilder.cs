using System.Collections.Frozen;
using System.Collections.Immutable;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Policy.Loading;

/// <summary>
/// Turns a draft that produced no problem into the immutable model. Only called when every value read and every rule
/// passed, so each value the draft marks optional-on-failure is present here.
/// </summary>
internal static class BrokerPolicyBuilder
{
    public static BrokerPolicy Build(PolicyDraft draft, string source, string version) => new(
        source,
        version,
        draft.Sensitivities.ToFrozenDictionary(
            s => s.Key,
            s => new SensitivityRules(
                Value(s.Value.GrantBelow),
                Value(s.Value.DenyAt),
                Value(s.Value.NormalDuration),
                Value(s.Value.MaxDuration),
                Value(s.Value.Quorum),
                Value(s.Value.ApprovalTimeout))
            {
                ClaimWindow = s.Value.ClaimWindow is { } window ? Value(window) : SensitivityRules.DefaultClaimWindow,
            }),
        [.. draft.Agents.Select(a => new AgentPolicy(Value(a.Id), Value(a.Owner), [.. a.Targets.Select(t => t.Value)]))],
        [.. draft.ApproverGroups.Select(g => new ApproverGroup(
            Value(g.Name),
            [.. g.Members.Select(m => new Approver(Value(m.Id), m.Identities.ToDictionary(i => i.Key, i => i.Value.Value, StringComparer.Ordinal)))],
            g.Channels))],
        [.. draft.Rules.Select(r => new HardRule(
            Value(r.Name),
            Required(r.Effect),
            r.Target?.Value,
            r.Environment,
            r.MinimumSensitivity,
            r.MinimumActionClass,
            r.DataTag,
            r.Agent?.Value))],
        [.. draft.Targets.Select(BuildTarget)],
        new EscalationRules(Value(draft.Escalation.ConsecutiveDenials), Value(draft.Escalation.TotalDenials)));

    private static TargetPolicy BuildTarget(TargetDraft target)
    {
        var name = Value(target.Name);
        var settings = new TargetSettings(
            name,
            Value(target.Connector),
            target.Settings.Plain.ToFrozenDictionary(p => p.Key.Value, p => p.Value, StringComparer.Ordinal),
            target.Settings.Secrets.ToFrozenDictionary(s => s.Key.Value, s => s.Value, StringComparer.Ordinal));
        return new TargetPolicy(
            name,
            target.Description,
            settings,
            Value(target.Approvers),
            [.. target.Resources.Select(r => new ResourcePolicy(
                Value(r.Name),
                Required(r.Sensitivity),
                Value(r.Environment),
                r.Tags.ToImmutableArray(),
                r.Description))]);
    }

    private static T Value<T>(Located<T>? located) =>
        located is null ? throw new InvalidOperationException("A policy value that failed to read reached the builder; its problem was not reported.") : located.Value;

    private static T Required<T>(T? value)
        where T : struct =>
        value ?? throw new InvalidOperationException("A policy value that failed to read reached the builder; its problem was not reported.");
}
