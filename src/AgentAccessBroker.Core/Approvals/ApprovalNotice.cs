namespace AgentAccessBroker.Approvals;

/// <summary>What approvers are shown: who asks, for what, why, and what the analyzer thinks. Contains no secret.</summary>
/// <param name="ApproverGroup">The policy group whose members may decide.</param>
/// <param name="Channels">The group's approval channels from the policy (see <see cref="Policy.ApproverGroup.Channels"/>): null asks on every channel at its default.</param>
/// <param name="TopReasons">The analyzer's main reasons in plain words.</param>
public sealed record ApprovalNotice(
    string RequestId,
    string AgentId,
    string AgentOwner,
    string TaskId,
    string TaskDescription,
    string TaskOwner,
    string Target,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    TimeSpan Duration,
    string Purpose,
    int Score,
    IReadOnlyList<string> TopReasons,
    string ApproverGroup,
    IReadOnlyDictionary<string, string?>? Channels,
    int Quorum,
    DateTimeOffset ExpiresAt)
{
    /// <summary>Whether the group wants to be asked on <paramref name="channel"/>.</summary>
    public bool AsksOn(string channel) => Channels is null || Channels.ContainsKey(channel);

    /// <summary>The group's address on <paramref name="channel"/>; null means the channel's configured default.</summary>
    public string? AddressOn(string channel) => Channels is not null && Channels.TryGetValue(channel, out var address) ? address : null;
}
