namespace AgentAccessBroker.Policy.Loading;

/// <summary>
/// Compatibility reader for the approver keys written before channels were generic: <c>slack_user</c> and
/// <c>email</c> on a member become <c>identities</c>, <c>slack_channel</c> on a group becomes <c>channels</c>. They
/// keep loading with a deprecation notice; writing both spellings of one identity is a problem.
/// </summary>
internal static class LegacyApproverKeys
{
    private const string SlackUser = "slack_user";
    private const string SlackChannel = "slack_channel";
    private const string Email = "email";
    private const string SlackChannelName = "slack";

    public static string[] MemberKeys { get; } = [SlackUser, Email];

    public static string[] GroupKeys { get; } = [SlackChannel];

    public static void ReadMember(YamlSchemaReader read, YamlObject member, Dictionary<string, Located<string>> identities)
    {
        Move(read, member, SlackUser, SlackChannelName, identities);
        Move(read, member, Email, Approver.EmailIdentity, identities);
    }

    public static Dictionary<string, string?>? ReadGroup(YamlSchemaReader read, YamlObject group, Dictionary<string, string?>? channels)
    {
        if (!group.Has(SlackChannel))
        {
            return channels;
        }

        var value = read.OptionalString(group, SlackChannel);
        Deprecated(read, group, SlackChannel, value is null ? $"channels: {{ {SlackChannelName}: }}" : $"channels: {{ {SlackChannelName}: {value.Value} }}");
        if (channels is not null && channels.ContainsKey(SlackChannelName))
        {
            Conflict(read, group, SlackChannel, $"channels.{SlackChannelName}");
            return channels;
        }

        // A group that named only its Slack channel was still asked on every other channel (there were none).
        channels ??= new Dictionary<string, string?>(StringComparer.Ordinal);
        channels[SlackChannelName] = value?.Value;
        return channels;
    }

    private static void Move(YamlSchemaReader read, YamlObject member, string key, string identity, Dictionary<string, Located<string>> identities)
    {
        if (!member.Has(key))
        {
            return;
        }

        var value = read.OptionalString(member, key);
        Deprecated(read, member, key, $"identities: {{ {identity}: {value?.Value ?? "..."} }}");
        if (value is null)
        {
            return;
        }

        if (!identities.TryAdd(identity, value))
        {
            Conflict(read, member, key, $"identities.{identity}");
        }
    }

    private static void Deprecated(YamlSchemaReader read, YamlObject owner, string key, string replacement) =>
        read.Problems.Notice(
            owner.KeyAt(key),
            PolicyProblemCodes.DeprecatedKey,
            $"'{owner.PathOf(key)}' is deprecated; write '{replacement}' instead (it still loads)");

    private static void Conflict(YamlSchemaReader read, YamlObject owner, string key, string other) =>
        read.Problems.Report(
            owner.KeyAt(key),
            PolicyProblemCodes.DuplicateKey,
            $"'{owner.PathOf(key)}' and '{other}' say the same thing; keep only '{other}'");
}
