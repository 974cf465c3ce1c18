namespace AgentAccessBroker.Policy;

/// <summary>People who may approve requests on the targets that name this group.</summary>
/// <param name="Channels">
/// The approval channels the group is asked on: channel name to the group's address there (a chat channel or
/// conversation id; null for the channel's own default). Null when the policy names no channels: every configured
/// channel asks at its default. Pull channels (CLI, API, web console) always work and are not listed.
/// </param>
public sealed record ApproverGroup(string Name, IReadOnlyList<Approver> Members, IReadOnlyDictionary<string, string?>? Channels)
{
    public Approver? FindById(string id) => Members.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    /// <summary>The member whose identity on <paramref name="channel"/> is <paramref name="externalId"/>; null when none.</summary>
    public Approver? FindByIdentity(string channel, string externalId) => Members.FirstOrDefault(m => m.Owns(channel, externalId));
}
