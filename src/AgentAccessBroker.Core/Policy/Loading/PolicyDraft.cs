using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy.Loading;

// The policy as read from YAML, before the rules have judged it. Every value keeps where it was written. A null value
// means reading it failed and the problem is already reported, so rules skip it rather than report it twice.

/// <summary>A value and where it was written.</summary>
internal sealed record Located<T>(T Value, SourceSpan At);

internal sealed record PolicyDraft(
    SourceSpan At,
    IReadOnlyDictionary<Sensitivity, SensitivityDraft> Sensitivities,
    EscalationDraft Escalation,
    IReadOnlyList<AgentDraft> Agents,
    IReadOnlyList<ApproverGroupDraft> ApproverGroups,
    IReadOnlyList<RuleDraft> Rules,
    IReadOnlyList<TargetDraft> Targets);

/// <summary>Keys the file leaves out carry the default and the location of the enclosing level.</summary>
internal sealed record SensitivityDraft(
    Sensitivity Level,
    SourceSpan At,
    Located<int>? GrantBelow,
    Located<int>? DenyAt,
    Located<TimeSpan>? NormalDuration,
    Located<TimeSpan>? MaxDuration,
    Located<int>? Quorum,
    Located<TimeSpan>? ApprovalTimeout)
{
    public Located<TimeSpan>? ClaimWindow { get; init; }

    public string Name => Level.ToString().ToLowerInvariant();

    public string PathOf(string key) => $"sensitivities.{Name}.{key}";

    /// <summary>Where a problem about a pair of values points: the one the file wrote, not the one a default filled in.</summary>
    public SourceSpan Blame<TFirst, TSecond>(Located<TFirst> first, Located<TSecond> second) =>
        first.At != At ? first.At : second.At;
}

internal sealed record EscalationDraft(Located<int>? ConsecutiveDenials, Located<int>? TotalDenials);

internal sealed record AgentDraft(SourceSpan At, Located<string>? Id, Located<string>? Owner, IReadOnlyList<Located<string>> Targets);

/// <param name="Channels">Channel name to the group's address there (null: the channel's default); null when not written.</param>
internal sealed record ApproverGroupDraft(
    SourceSpan At,
    Located<string>? Name,
    IReadOnlyDictionary<string, string?>? Channels,
    IReadOnlyList<ApproverDraft> Members);

/// <param name="Identities">Identity (channel) name to the approver's external id there, located for duplicate checks.</param>
internal sealed record ApproverDraft(SourceSpan At, Located<string>? Id, IReadOnlyDictionary<string, Located<string>> Identities);

internal sealed record RuleDraft(
    SourceSpan At,
    Located<string>? Name,
    HardRuleEffect? Effect,
    SourceSpan WhenAt,
    int ConditionCount,
    Located<string>? Target,
    string? Environment,
    Sensitivity? MinimumSensitivity,
    ActionClass? MinimumActionClass,
    string? DataTag,
    Located<string>? Agent);

internal sealed record TargetDraft(
    SourceSpan At,
    Located<string>? Name,
    Located<string>? Connector,
    string Description,
    Located<string>? Approvers,
    SettingsDraft Settings,
    IReadOnlyList<ResourceDraft> Resources);

/// <param name="At">The <c>settings:</c> key, or the target when it has none: where problems about missing keys point.</param>
/// <param name="Plain">Inline values, in file order, with where each key was written.</param>
/// <param name="Secrets">Values given by reference.</param>
/// <param name="Unreadable">Keys whose value could not be read (already reported).</param>
internal sealed record SettingsDraft(
    SourceSpan At,
    IReadOnlyList<KeyValuePair<Located<string>, string>> Plain,
    IReadOnlyList<KeyValuePair<Located<string>, SecretReference>> Secrets,
    IReadOnlySet<string> Unreadable)
{
    public SourceSpan? LocationOf(string key) =>
        Plain.Where(p => p.Key.Value == key).Select(p => (SourceSpan?)p.Key.At)
            .Concat(Secrets.Where(s => s.Key.Value == key).Select(s => (SourceSpan?)s.Key.At))
            .FirstOrDefault();
}

internal sealed record ResourceDraft(
    SourceSpan At,
    Located<string>? Name,
    Sensitivity? Sensitivity,
    Located<string>? Environment,
    IReadOnlyList<string> Tags,
    string? Description);
