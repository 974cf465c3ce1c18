namespace AgentAccessBroker.Policy;

/// <summary>The stable codes a <see cref="PolicyProblem"/> carries. Codes are never renamed; new checks add new codes.</summary>
public static class PolicyProblemCodes
{
    /// <summary>The file is not well-formed YAML (the parser cannot continue past this point).</summary>
    public const string YamlSyntax = "yaml_syntax";

    /// <summary>The file cannot be read.</summary>
    public const string UnreadableFile = "unreadable_file";

    /// <summary>The file holds no document, or more than one.</summary>
    public const string DocumentShape = "document_shape";

    /// <summary>The same key appears twice in one mapping.</summary>
    public const string DuplicateKey = "duplicate_key";

    /// <summary>A key the schema does not define (usually a typo).</summary>
    public const string UnknownKey = "unknown_key";

    /// <summary>A required key is absent.</summary>
    public const string MissingKey = "missing_key";

    /// <summary>A required value is empty or null.</summary>
    public const string EmptyValue = "empty_value";

    /// <summary>A mapping where a list was expected, a list where a scalar was expected, and so on.</summary>
    public const string WrongType = "wrong_type";

    /// <summary><c>version</c> is not a version this broker reads.</summary>
    public const string UnsupportedVersion = "unsupported_version";

    /// <summary>Not an integer.</summary>
    public const string InvalidInteger = "invalid_integer";

    /// <summary>Not a duration such as <c>90s</c>, <c>30m</c>, <c>2h30m</c>, <c>1d</c>, or not greater than zero.</summary>
    public const string InvalidDuration = "invalid_duration";

    /// <summary>Not one of <c>low</c>, <c>medium</c>, <c>high</c>, <c>critical</c>.</summary>
    public const string InvalidSensitivity = "invalid_sensitivity";

    /// <summary>Not one of <c>read</c>, <c>write</c>, <c>destructive</c>, <c>privilege_change</c>, <c>wildcard</c>.</summary>
    public const string InvalidActionClass = "invalid_action_class";

    /// <summary>A rule effect other than <c>deny</c> or <c>require_approval</c>.</summary>
    public const string InvalidEffect = "invalid_effect";

    /// <summary>A number outside its allowed range (thresholds 0..100, quorum and escalation counts at least 1).</summary>
    public const string OutOfRange = "out_of_range";

    /// <summary><c>grant_below</c> is not lower than <c>deny_at</c>.</summary>
    public const string ThresholdOrder = "threshold_order";

    /// <summary><c>normal_duration</c> is longer than <c>max_duration</c>.</summary>
    public const string DurationOrder = "duration_order";

    /// <summary><c>consecutive_denials</c> is larger than <c>total_denials</c>, so it could never trigger first.</summary>
    public const string EscalationOrder = "escalation_order";

    /// <summary>Two agents, approver groups, approvers in a group, rules, targets or resources of a target share a name.</summary>
    public const string DuplicateName = "duplicate_name";

    /// <summary>A target's <c>approvers</c> names no approver group.</summary>
    public const string UnknownApproverGroup = "unknown_approver_group";

    /// <summary>An agent's or a rule's target names no target.</summary>
    public const string UnknownTarget = "unknown_target";

    /// <summary>A rule's agent names no agent.</summary>
    public const string UnknownAgent = "unknown_agent";

    /// <summary>No credential provider is registered under the target's connector name.</summary>
    public const string UnknownConnector = "unknown_connector";

    /// <summary>The target's connector rejected one of its settings.</summary>
    public const string InvalidSetting = "invalid_setting";

    /// <summary>A setting whose name says it is secret holds its value inline instead of <c>{ env: ... }</c> or <c>{ file: ... }</c>.</summary>
    public const string InlineSecret = "inline_secret";

    /// <summary>A secret reference that is not exactly one of <c>env</c> or <c>file</c> with a non-empty value.</summary>
    public const string InvalidSecretReference = "invalid_secret_reference";

    /// <summary>A target without any resource in its catalogue: nothing could ever be requested on it.</summary>
    public const string EmptyResources = "empty_resources";

    /// <summary>An approver group without members.</summary>
    public const string EmptyGroup = "empty_group";

    /// <summary>A rule whose <c>when</c> sets no condition, which would match every request.</summary>
    public const string EmptyCondition = "empty_condition";

    /// <summary>A target's approver group has fewer members than the quorum one of its resources needs.</summary>
    public const string QuorumUnreachable = "quorum_unreachable";

    /// <summary>A channel or identity name that is not lower-case letters, digits, <c>-</c> or <c>_</c> starting with a letter.</summary>
    public const string InvalidChannelName = "invalid_channel_name";

    /// <summary>Two approvers in one group share an identity on one channel, so a click could not be told apart.</summary>
    public const string DuplicateIdentity = "duplicate_identity";

    /// <summary>A notice, not an error: a key that still loads but has a newer spelling.</summary>
    public const string DeprecatedKey = "deprecated_key";
}
