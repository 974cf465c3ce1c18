using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy.Loading;

/// <summary>
/// Reads the YAML tree into a <see cref="PolicyDraft"/>, reporting shape problems (unknown, missing or mistyped keys,
/// unparsable values). Judgements across values (ordering, ranges, references) belong to the rules, not here.
/// </summary>
internal sealed class PolicyDraftReader(YamlSchemaReader read)
{
    public const int SupportedVersion = 1;

    private static readonly KeyValuePair<string, Sensitivity>[] SensitivityWords = Words(
        ("low", Sensitivity.Low), ("medium", Sensitivity.Medium), ("high", Sensitivity.High), ("critical", Sensitivity.Critical));

    private static readonly KeyValuePair<string, ActionClass>[] ActionClassWords = Words(
        ("read", ActionClass.Read),
        ("write", ActionClass.Write),
        ("destructive", ActionClass.Destructive),
        ("privilege_change", ActionClass.PrivilegeChange),
        ("wildcard", ActionClass.Wildcard));

    private static readonly KeyValuePair<string, HardRuleEffect>[] EffectWords = Words(
        ("deny", HardRuleEffect.Deny), ("require_approval", HardRuleEffect.RequireApproval));

    private static readonly string[] ConditionKeys = ["environment", "min_action_class", "min_sensitivity", "target", "data_tag", "agent"];

    public PolicyDraft? Read(YamlTreeNode root)
    {
        var policy = read.Object(root, string.Empty, "version", "sensitivities", "escalation", "agents", "approver_groups", "rules", "targets");
        if (policy is null)
        {
            return null;
        }

        ReadVersion(policy);
        return new PolicyDraft(
            policy.At,
            ReadSensitivities(policy),
            ReadEscalation(policy),
            [.. read.List(policy, "agents").Select(e => ReadAgent(e.Item, e.Path)).OfType<AgentDraft>()],
            [.. read.List(policy, "approver_groups").Select(e => ReadApproverGroup(e.Item, e.Path)).OfType<ApproverGroupDraft>()],
            [.. read.List(policy, "rules").Select(e => ReadRule(e.Item, e.Path)).OfType<RuleDraft>()],
            [.. read.List(policy, "targets").Select(e => ReadTarget(e.Item, e.Path)).OfType<TargetDraft>()]);
    }

    private void ReadVersion(YamlObject policy)
    {
        if (read.RequiredString(policy, "version") is { } version && version.Value != SupportedVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            read.Problems.Report(
                version.At,
                PolicyProblemCodes.UnsupportedVersion,
                $"this broker reads policy version {SupportedVersion}, not '{version.Value}'");
        }
    }

    private Dictionary<Sensitivity, SensitivityDraft> ReadSensitivities(YamlObject policy)
    {
        var section = policy["sensitivities"] is { } node
            ? read.Object(node, "sensitivities", [.. SensitivityWords.Select(w => w.Key)])
            : null;
        var drafts = new Dictionary<Sensitivity, SensitivityDraft>();
        foreach (var (word, level) in SensitivityWords)
        {
            var defaults = SensitivityRules.Defaults[level];
            var levelObject = section?[word] is { } levelNode
                ? read.Object(levelNode, section.PathOf(word), "grant_below", "deny_at", "normal_duration", "max_duration", "quorum", "approval_timeout", "claim_window")
                : null;
            var at = levelObject?.At ?? section?.KeyAt(word) ?? policy.KeyAt("sensitivities");
            drafts[level] = levelObject is null
                ? new SensitivityDraft(
                    level,
                    at,
                    new(defaults.GrantBelow, at),
                    new(defaults.DenyAtOrAbove, at),
                    new(defaults.NormalDuration, at),
                    new(defaults.MaxDuration, at),
                    new(defaults.Quorum, at),
                    new(defaults.ApprovalTimeout, at)) { ClaimWindow = new(defaults.ClaimWindow, at) }
                : new SensitivityDraft(
                    level,
                    at,
                    read.Integer(levelObject, "grant_below", defaults.GrantBelow),
                    read.Integer(levelObject, "deny_at", defaults.DenyAtOrAbove),
                    read.Duration(levelObject, "normal_duration", defaults.NormalDuration),
                    read.Duration(levelObject, "max_duration", defaults.MaxDuration),
                    read.Integer(levelObject, "quorum", defaults.Quorum),
                    read.Duration(levelObject, "approval_timeout", defaults.ApprovalTimeout)) { ClaimWindow = read.Duration(levelObject, "claim_window", defaults.ClaimWindow) };
        }

        return drafts;
    }

    private EscalationDraft ReadEscalation(YamlObject policy)
    {
        var defaults = EscalationRules.Default;
        if (policy["escalation"] is not { } node || read.Object(node, "escalation", "consecutive_denials", "total_denials") is not { } escalation)
        {
            var at = policy.KeyAt("escalation");
            return new EscalationDraft(new(defaults.ConsecutiveDenials, at), new(defaults.TotalDenials, at));
        }

        return new EscalationDraft(
            read.Integer(escalation, "consecutive_denials", defaults.ConsecutiveDenials),
            read.Integer(escalation, "total_denials", defaults.TotalDenials));
    }

    private AgentDraft? ReadAgent(YamlTreeNode node, string path)
    {
        if (read.Object(node, path, "id", "owner", "targets") is not { } agent)
        {
            return null;
        }

        return new AgentDraft(agent.At, read.RequiredString(agent, "id"), read.RequiredString(agent, "owner"), read.StringList(agent, "targets"));
    }

    private ApproverGroupDraft? ReadApproverGroup(YamlTreeNode node, string path)
    {
        if (read.Object(node, path, ["name", "channels", "members", .. LegacyApproverKeys.GroupKeys]) is not { } group)
        {
            return null;
        }

        var members = new List<ApproverDraft>();
        foreach (var (item, itemPath) in read.List(group, "members"))
        {
            if (read.Object(item, itemPath, ["id", "identities", .. LegacyApproverKeys.MemberKeys]) is { } member)
            {
                var identities = ReadIdentities(member);
                LegacyApproverKeys.ReadMember(read, member, identities);
                members.Add(new ApproverDraft(member.At, read.RequiredString(member, "id"), identities));
            }
        }

        var channels = ReadChannels(group);
        channels = LegacyApproverKeys.ReadGroup(read, group, channels);
        return new ApproverGroupDraft(group.At, read.RequiredString(group, "name"), channels, members);
    }

    /// <summary><c>identities: { chat: U0BOB, email: bob@example.com }</c>: each name to a non-empty external id.</summary>
    private Dictionary<string, Located<string>> ReadIdentities(YamlObject member)
    {
        var identities = new Dictionary<string, Located<string>>(StringComparer.Ordinal);
        var path = member.PathOf("identities");
        switch (member["identities"])
        {
            case null:
                break;
            case YamlTreeMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (ChannelName(key, path) && read.ScalarText(value, $"{path}.{key.Value}") is { } id)
                    {
                        identities[key.Value] = id;
                    }
                }

                break;
            case var other:
                read.Problems.Report(other.At, PolicyProblemCodes.WrongType, $"'{path}' must be a mapping such as {{ email: bob@example.com }}, not {other.Kind}");
                break;
        }

        return identities;
    }

    /// <summary>
    /// <c>channels: { chat: C0APPROVALS, teams: }</c> (name to the group's address there, empty for the channel's default)
    /// or <c>channels: [chat, teams]</c> (defaults only). Absent: null, meaning every channel at its default.
    /// </summary>
    private Dictionary<string, string?>? ReadChannels(YamlObject group)
    {
        if (!group.Has("channels"))
        {
            return null;
        }

        var channels = new Dictionary<string, string?>(StringComparer.Ordinal);
        var path = group.PathOf("channels");
        switch (group["channels"])
        {
            case null:
                break;
            case YamlTreeMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (!ChannelName(key, path))
                    {
                        continue;
                    }

                    switch (value)
                    {
                        case YamlTreeScalar { IsNull: true }:
                            channels[key.Value] = null;
                            break;
                        case YamlTreeScalar scalar:
                            channels[key.Value] = string.IsNullOrWhiteSpace(scalar.Value) ? null : scalar.Value;
                            break;
                        default:
                            read.Problems.Report(value.At, PolicyProblemCodes.WrongType, $"'{path}.{key.Value}' must be a single value (the group's address on that channel), not {value.Kind}");
                            break;
                    }
                }

                break;
            case YamlTreeSequence sequence:
                foreach (var item in sequence.Items)
                {
                    if (read.ScalarText(item, path) is { } name && ChannelName(new YamlTreeScalar(name.At, name.Value, true), path))
                    {
                        channels[name.Value] = null;
                    }
                }

                break;
            case var other:
                read.Problems.Report(other.At, PolicyProblemCodes.WrongType, $"'{path}' must be a mapping or a list of channel names, not {other.Kind}");
                break;
        }

        return channels;
    }

    private bool ChannelName(YamlTreeScalar key, string path)
    {
        var name = key.Value;
        if (name.Length > 0 && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
        {
            return true;
        }

        read.Problems.Report(key.At, PolicyProblemCodes.InvalidChannelName, $"'{name}' in '{path}' is not a channel name (lower-case letters, digits, '-' or '_', starting with a letter)");
        return false;
    }

    private RuleDraft? ReadRule(YamlTreeNode node, string path)
    {
        if (read.Object(node, path, "name", "effect", "when") is not { } rule)
        {
            return null;
        }

        var name = read.RequiredString(rule, "name");
        var effect = read.Word(rule, "effect", required: true, PolicyProblemCodes.InvalidEffect, EffectWords);
        if (!rule.Has("when"))
        {
            read.Problems.Report(rule.At, PolicyProblemCodes.MissingKey, $"'{path}' needs 'when'");
            return new RuleDraft(rule.At, name, effect, rule.At, ConditionCount: -1, null, null, null, null, null, null);
        }

        var when = rule["when"] is { } whenNode ? read.Object(whenNode, rule.PathOf("when"), ConditionKeys) : null;
        if (when is null)
        {
            // 'when:' with no value: the empty-condition rule reports it; a mistyped value is already reported.
            var count = rule["when"] is null ? 0 : -1;
            return new RuleDraft(rule.At, name, effect, rule.KeyAt("when"), count, null, null, null, null, null, null);
        }

        return new RuleDraft(
            rule.At,
            name,
            effect,
            when.At,
            ConditionKeys.Count(k => when[k] is not null),
            read.OptionalString(when, "target"),
            read.OptionalString(when, "environment")?.Value,
            read.Word(when, "min_sensitivity", required: false, PolicyProblemCodes.InvalidSensitivity, SensitivityWords),
            read.Word(when, "min_action_class", required: false, PolicyProblemCodes.InvalidActionClass, ActionClassWords),
            read.OptionalString(when, "data_tag")?.Value,
            read.OptionalString(when, "agent"));
    }

    private TargetDraft? ReadTarget(YamlTreeNode node, string path)
    {
        if (read.Object(node, path, "name", "connector", "description", "approvers", "settings", "resources") is not { } target)
        {
            return null;
        }

        var resources = new List<ResourceDraft>();
        foreach (var (item, itemPath) in read.List(target, "resources"))
        {
            if (read.Object(item, itemPath, "name", "sensitivity", "environment", "tags", "description") is { } resource)
            {
                resources.Add(new ResourceDraft(
                    resource.At,
                    read.RequiredString(resource, "name"),
                    read.Word(resource, "sensitivity", required: true, PolicyProblemCodes.InvalidSensitivity, SensitivityWords),
                    read.RequiredString(resource, "environment"),
                    [.. read.StringList(resource, "tags").Select(t => t.Value)],
                    read.OptionalString(resource, "description")?.Value));
            }
        }

        return new TargetDraft(
            target.At,
            read.RequiredString(target, "name"),
            read.RequiredString(target, "connector"),
            read.OptionalString(target, "description")?.Value ?? string.Empty,
            read.RequiredString(target, "approvers"),
            ReadSettings(target),
            resources);
    }

    private SettingsDraft ReadSettings(YamlObject target)
    {
        var plain = new List<KeyValuePair<Located<string>, string>>();
        var secrets = new List<KeyValuePair<Located<string>, SecretReference>>();
        var unreadable = new HashSet<string>(StringComparer.Ordinal);
        var at = target.KeyAt("settings");
        var path = target.PathOf("settings");
        switch (target["settings"])
        {
            case null:
                break;
            case YamlTreeMapping mapping:
                foreach (var (keyNode, value) in mapping.Entries)
                {
                    var key = new Located<string>(keyNode.Value, keyNode.At);
                    var valuePath = $"{path}.{keyNode.Value}";
                    switch (value)
                    {
                        case YamlTreeScalar { IsNull: true }:
                            read.Problems.Report(keyNode.At, PolicyProblemCodes.EmptyValue, $"'{valuePath}' has no value");
                            unreadable.Add(key.Value);
                            break;
                        case YamlTreeScalar scalar:
                            plain.Add(new(key, scalar.Value));
                            break;
                        case YamlTreeMapping:
                            if (ReadSecretReference(value, valuePath) is { } reference)
                            {
                                secrets.Add(new(key, reference));
                            }
                            else
                            {
                                unreadable.Add(key.Value);
                            }

                            break;
                        default:
                            read.Problems.Report(value.At, PolicyProblemCodes.WrongType, $"'{valuePath}' must be a single value or {{ env: NAME }} / {{ file: PATH }}, not {value.Kind}");
                            unreadable.Add(key.Value);
                            break;
                    }
                }

                break;
            case var other:
                read.Problems.Report(other.At, PolicyProblemCodes.WrongType, $"'{path}' must be a mapping, not {other.Kind}");
                break;
        }

        return new SettingsDraft(at, plain, secrets, unreadable);
    }

    // Arrays, not dictionaries: messages list the words in this order, and the lists are tiny.
    private static KeyValuePair<string, T>[] Words<T>(params (string Word, T Value)[] words) =>
        [.. words.Select(w => KeyValuePair.Create(w.Word, w.Value))];

    private SecretReference? ReadSecretReference(YamlTreeNode node, string path)
    {
        if (read.Object(node, path, "env", "file") is not { } reference)
        {
            return null;
        }

        var env = reference.Has("env");
        var file = reference.Has("file");
        if (env == file)
        {
            read.Problems.Report(
                reference.At,
                PolicyProblemCodes.InvalidSecretReference,
                $"'{path}' must name exactly one place for the secret: {{ env: VARIABLE }} or {{ file: /path }}");
            return null;
        }

        var key = env ? "env" : "file";
        return read.RequiredString(reference, key) is { } location
            ? new SecretReference(env ? SecretSource.Environment : SecretSource.File, location.Value)
            : null;
    }
}
